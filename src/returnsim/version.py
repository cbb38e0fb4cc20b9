"""The package's version, from its installed metadata (one place; importing it loads nothing)."""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("returnsim")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
