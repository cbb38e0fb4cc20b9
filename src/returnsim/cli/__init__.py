"""The ``returnsim`` command line: one module per command.

This package is the only home of argparse and of exit codes; the library
below raises :class:`returnsim.errors.InputError`, which :func:`main` prints
as one line with exit code 2.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from returnsim.cli import assets, calibrate, describe, experiments, run, serve, validate
from returnsim.cli.common import ArgumentParser
from returnsim.errors import InputError
from returnsim.version import __version__

PROG = "returnsim"


class _Warnings(logging.Handler):
    """The library's warnings, one line each on the current stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"{PROG}: warning: {_one_line(record.getMessage())}", file=sys.stderr)


def _show_warnings() -> None:
    log = logging.getLogger(PROG)
    if not any(isinstance(h, _Warnings) for h in log.handlers):
        log.addHandler(_Warnings(logging.WARNING))
        log.propagate = False


def build_parser() -> ArgumentParser:
    """The command-line interface."""
    parser = ArgumentParser(
        prog=PROG,
        description="Agent-based model of displacement and voluntary return after conflict.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in (run, describe, calibrate, validate, serve, experiments, assets):
        command.add_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``returnsim`` command; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    _show_warnings()
    try:
        args = build_parser().parse_args(args_list)
        return int(args.handler(args, args_list) or 0)
    except InputError as exc:
        print(f"{PROG}: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # Output piped into e.g. `head` that stopped reading: not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as exc:  # a path given that cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"{PROG}: error: {where}{_one_line(exc.strerror or str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "bad input"
