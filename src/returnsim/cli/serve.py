"""``returnsim serve``: the workshop server, a browser page per participant."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from returnsim.cli.common import whole
from returnsim.errors import InputError
from returnsim.viz import server
from returnsim.viz.server import DEFAULT_HOST, DEFAULT_PORT


def add_command(sub: Any) -> None:
    """Add ``returnsim serve`` to the CLI's subcommands."""
    serve = sub.add_parser(
        "serve",
        help="start the workshop server: a browser page per participant",
        description="Start the workshop server (Mesa SolaraViz). Each browser session gets "
        "its own model: Step, Play/Pause and Reset; sliders for troops, police, deployment "
        "strategy, return cash, reconstruction, livelihood, reconciliation, psychosocial "
        "support, aid and conflict intensity (applied on Reset); a scenario picker limited "
        "to the scenarios folder; a seed. Views: a map of the places, households by status, "
        "flows per month, reintegration, spending against budget, the story of the month, "
        "a side-by-side compare mode, and downloads of the run (CSV) and its settings "
        "(a scenario TOML for `returnsim run`). Works offline once `make bootstrap` has "
        "installed the web assets. Stop it with Ctrl+C.",
    )
    serve.add_argument(
        "scenario",
        metavar="SCENARIO",
        nargs="?",
        default="baseline",
        help="scenario to open: a name in the scenarios folder or a .toml file in it "
        "(default: baseline)",
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only; e.g. 0.0.0.0 "
        "lets participants on the network join, with a warning)",
    )
    serve.add_argument(
        "--port", type=whole(1), default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--scenarios",
        metavar="DIR",
        help="folder the scenario picker lists (default: the folder of SCENARIO when a file "
        "is given, else ./scenarios)",
    )
    serve.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``returnsim serve``: check everything, warn about a reachable host, start Solara."""
    if args.port > 65535:
        raise InputError(f"--port {args.port} is not allowed (an integer from 1 to 65535)")
    p = server.plan(args.scenario, args.host, args.port, args.scenarios)
    if p.warning:
        print(f"returnsim: warning: {p.warning}", file=sys.stderr)
    print(f"Workshop server for {p.scenario} (scenarios from {p.folder}) at {p.url}")
    print("Participants open that address in a browser; stop the server with Ctrl+C.")
    server.launch(p)  # looked up on the module: tests replace it
    return 0
