"""TOML input read one way everywhere (scenarios, experiment specs, workshop uploads).

Every failure is one :class:`InputError` line naming the source: a file that cannot be read,
bytes that are not UTF-8, text that is not TOML, and nesting so deep that the decoder would
exhaust Python's stack (``a = [[[[...``: ``tomllib`` raises RecursionError there).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from returnsim.errors import InputError


def loads(data: str | bytes, *, source: str, what: str) -> dict[str, Any]:
    """Parse TOML ``data`` from ``source`` (a file name, ``upload x.toml``); ``what`` it holds."""
    text = _text(data, source, what) if isinstance(data, bytes) else data
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise InputError(f"{source}: not valid TOML: arrays or tables nested too deeply") from None


def read(path: Path, *, what: str) -> tuple[str, dict[str, Any]]:
    """(text, parsed table) of the TOML file ``path``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    text = _text(data, str(path), what)
    return text, loads(text, source=str(path), what=what)


def _text(data: bytes, source: str, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{source}: not a text file ({what} is UTF-8 TOML)") from None
