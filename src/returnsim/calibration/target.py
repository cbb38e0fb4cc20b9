"""Reading an observed yearly series of returns from a CSV file.

A target file has a ``year`` column and one value column, e.g.::

    year,returned_refugees
    2004,56871
    2005,70287

A file holding several series (the shared UNHCR file has Liberia and Burundi
in one, told apart by a ``country`` column) is filtered with ``where``
(``{"country": "Liberia"}``); the value column is the one numeric column
left, or the one named by ``column``. Anything wrong is one ``InputError``
line naming the file and the problem.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pandas as pd

from returnsim.errors import InputError


def parse_where(items: list[str] | str | None, *, option: str = "--where") -> dict[str, str]:
    """``["country=Liberia"]`` (or one string) as ``{"country": "Liberia"}``."""
    if not items:
        return {}
    if isinstance(items, str):
        items = [items]
    out: dict[str, str] = {}
    for item in items:
        col, sep, val = item.partition("=")
        if not sep or not col.strip():
            raise InputError(f"{option} {item!r}: expected COLUMN=VALUE, e.g. country=Liberia")
        out[col.strip()] = val.strip()
    return out


def read_target(
    path: str | Path, *, where: dict[str, str] | None = None, column: str | None = None
) -> pd.Series:
    """The observed series: values (float, >= 0) indexed by year (int), ascending."""
    path = Path(path)
    where = where or {}
    if not path.is_file():
        raise InputError(f"{path}: no such target file (give a CSV with a year column)")
    try:
        with warnings.catch_warnings():  # a row longer than the header is an error, not a warning
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(path, dtype=str, skipinitialspace=True, comment="#", index_col=False)
    except pd.errors.ParserWarning:
        raise InputError(f"{path}: a row has more fields than the header") from None
    except pd.errors.EmptyDataError:
        raise InputError(
            f"{path}: the target file is empty (expected a header with year)"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        why = " ".join(str(exc).split())[:120]
        raise InputError(f"{path}: not a readable CSV file ({why})") from None
    df.columns = [str(c).strip() for c in df.columns]
    if "year" not in df.columns:
        raise InputError(
            f"{path}: no 'year' column (columns: {', '.join(df.columns)}); "
            "a target needs year and one value column"
        )
    for col, val in where.items():
        if col not in df.columns:
            raise InputError(
                f"{path}: --where {col}={val}: no column '{col}' (columns: {', '.join(df.columns)})"
            )
        values = sorted(df[col].dropna().str.strip().unique())
        if val not in values:
            raise InputError(
                f"{path}: --where {col}={val}: no row has {col} = {val!r} "
                f"(values: {', '.join(values[:12])})"
            )
        df = df[df[col].str.strip() == val]
    rest = [c for c in df.columns if c != "year" and c not in where]
    if column is not None:
        if column not in rest:
            raise InputError(
                f"{path}: --column {column}: no such value column (columns: {', '.join(rest)})"
            )
        value_col = column
    else:
        numeric = [c for c in rest if _all_numbers(df[c])]
        if len(rest) == 1:
            value_col = rest[0]
        elif len(numeric) == 1:
            value_col = numeric[0]
        elif not rest:
            raise InputError(f"{path}: no value column (expected year and one value column)")
        else:
            raise InputError(
                f"{path}: several value columns ({', '.join(numeric or rest)}); "
                "pick one with --column NAME"
            )
    if df.empty:
        raise InputError(f"{path}: no rows of data")
    years = df["year"].fillna("").str.strip()
    bad = [y for y in years if not _is_year(y)]
    if bad:
        raise InputError(f"{path}: year {bad[0]!r} is not a year (a whole number like 2004)")
    values = df[value_col].fillna("").str.strip()
    bad_v = [(row, v) for row, v in values.items() if not _is_count(v)]
    if bad_v:
        row, v = bad_v[0]
        raise InputError(
            f"{path}: line {int(row) + 2}: {value_col} = {v!r} is not a number >= 0 "  # header: 1
            "(a count of people per year)"
        )
    series = pd.Series(values.astype(float).to_numpy(), index=years.astype(int).to_numpy())
    dup = series.index[series.index.duplicated()]
    if len(dup):
        others = [c for c in rest if c != value_col]
        hint = (
            f"; the file has several series: pick one with --where {others[0]}=VALUE"
            if others
            else ""
        )
        raise InputError(f"{path}: year {int(dup[0])} appears more than once{hint}")
    series.index.name = "year"
    series.name = value_col
    return series.sort_index()


def _is_year(text: str) -> bool:
    try:
        y = float(text)
    except ValueError:
        return False
    return 1800 <= y <= 2200 and y == int(y)


def _is_count(text: str) -> bool:
    try:
        v = float(text)
    except ValueError:
        return False
    return math.isfinite(v) and v >= 0


def _all_numbers(col: pd.Series) -> bool:
    return bool(len(col)) and all(_is_count(str(v).strip()) for v in col.dropna())
