"""The optional [calibration] table of a scenario: accepted, validated, kept out of the digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from returnsim.errors import InputError
from returnsim.scenario import from_dict, load


def raw_with(calibration: object) -> dict:
    import tomllib

    raw = tomllib.loads(BASELINE.read_text(encoding="utf-8"))
    raw["calibration"] = calibration
    return raw


BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"

GOOD = {
    "target": "UNHCR returns",
    "where": "country=Liberia",
    "series": "refugee_returns",
    "population": 3_300_000,
    "params": {"decision.attachment": [1.0, 6.0], "places.north.services": [0.2, 0.8]},
}


def test_a_valid_table_is_kept_and_does_not_change_the_digest() -> None:
    plain = load(BASELINE)
    spec = from_dict(raw_with(GOOD), source="x.toml")
    assert spec.calibration["params"] == {
        "decision.attachment": (1.0, 6.0),
        "places.north.services": (0.2, 0.8),
    }
    assert spec.calibration["population"] == 3_300_000.0
    assert spec.digest() == plain.digest()
    assert plain.calibration == {}
    # Overrides keep the table.
    assert spec.with_overrides({"scenario.seed": 3}).calibration == spec.calibration


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("oops", r"\[calibration\] must be a table"),
        ({"targte": "x"}, r"unknown key 'calibration\.targte'"),
        ({"series": "deaths"}, r"calibration\.series = 'deaths' is not allowed"),
        ({"where": "Liberia"}, r"calibration\.where .* must be COLUMN=VALUE"),
        ({"population": -5}, r"calibration\.population = -5 is not allowed"),
        ({"population": True}, r"calibration\.population"),
        ({"params": ["decision.attachment"]}, r"calibration\.params must be a table"),
        ({"params": {"decision.atachment": [1, 2]}}, r"decision\.atachment: unknown parameter"),
        ({"params": {"scenario.engine": [1, 2]}}, r"is not a number"),
        ({"params": {"decision.attachment": [3, 1]}}, r"low < high"),
        ({"params": {"decision.attachment": [1]}}, r"expected \[low, high\]"),
        ({"params": {"decision.attachment": [1, 50]}}, r"outside what is allowed"),
        ({"params": {"places.nowhere.services": [0, 1]}}, r"no place 'nowhere'"),
    ],
)
def test_bad_tables_are_one_line_errors_naming_the_key(table, message) -> None:
    with pytest.raises(InputError, match=message) as info:
        from_dict(raw_with(table), source="x.toml")
    text = str(info.value)
    assert text.startswith("x.toml: ") and "\n" not in text


def test_unknown_sections_still_name_calibration_as_allowed() -> None:
    raw = raw_with(GOOD)
    raw["calibraton"] = {}
    with pytest.raises(InputError, match=r"unknown section \[calibraton\].*calibration\)"):
        from_dict(raw, source="x.toml")
