"""The package's version and the digest of the code that computes a run.

``__version__`` comes from the installed metadata (one place). A version
string is not enough to keep results of different models apart (it stays the
same while the code changes), so run keys and resume checks use
:func:`model_digest`: the SHA-256 of every source file that computes a run.
Importing this module loads nothing else of returnsim.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata, resources
from importlib.resources.abc import Traversable

try:
    __version__ = metadata.version("returnsim")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

#: Subpackages that cannot change a run's numbers: the command line and the workshop.
NOT_THE_MODEL = ("cli", "viz")


def digest_of(root: Traversable) -> str:
    """SHA-256 over the ``.py`` files under ``root`` (paths included, sorted), except
    :data:`NOT_THE_MODEL`."""
    files: list[tuple[str, Traversable]] = []

    def walk(folder: Traversable, prefix: str) -> None:
        for entry in folder.iterdir():
            rel = f"{prefix}{entry.name}"
            if entry.is_dir():
                if entry.name != "__pycache__" and not (not prefix and entry.name in NOT_THE_MODEL):
                    walk(entry, rel + "/")
            elif entry.name.endswith(".py"):
                files.append((rel, entry))

    walk(root, "")
    h = hashlib.sha256()
    for rel, entry in sorted(files, key=lambda f: f[0]):
        data = entry.read_bytes()
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


@functools.cache
def model_digest() -> str:
    """Digest of this installed returnsim's model code (the registry and levers included)."""
    return digest_of(resources.files("returnsim"))
