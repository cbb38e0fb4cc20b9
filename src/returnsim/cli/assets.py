"""``returnsim assets``: install the workshop server's web assets for offline use."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from returnsim.errors import InputError


def add_command(sub: Any) -> None:
    """Add ``assets`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "assets",
        help="install Solara's web assets for the offline workshop server (needs npm once)",
        description="Install Solara's JavaScript and CSS into the workshop server's local "
        "asset cache from the npm registry (skips what is there). `make bootstrap` runs it.",
    )
    p.add_argument("--check", action="store_true", help="only report missing files (exit 1)")
    p.set_defaults(handler=command)


def command(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Install (or with ``--check`` list) the assets; a failure is one line, exit code 2."""
    from returnsim.viz import assets

    cache = assets.assets_dir()
    if args.check:
        missing = assets.missing_files(cache)
        for rel in missing:
            print(f"missing: {cache / rel}")
        return 1 if missing else 0
    try:
        done = assets.install(cache)
    except assets.AssetError as exc:
        raise InputError(str(exc)) from None
    missing = assets.missing_files(cache)
    if missing:
        raise InputError(f"still missing after install: {cache / missing[0]}")
    if done:
        print(f"Solara assets installed into {cache}: {', '.join(done)}")
    else:
        print(f"Solara assets already in {cache}")
    return 0
