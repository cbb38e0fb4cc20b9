"""``returnsim validate``: the twelve stylized facts and three effect sizes as a pass/fail
table."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

from returnsim.cli.common import whole
from returnsim.validation import FACTS, base, table, validate


def add_command(sub: Any) -> None:
    """Add ``validate`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "validate",
        help="check the model against the stylized facts and effect sizes (pass/fail table)",
        description="Run the twelve stylized facts of EVIDENCE.md and three effect sizes "
        "(drought displacement, women's journeys, psychosocial support and return) as checks "
        "on small "
        "purpose-built scenarios (paired seeds for comparisons) and print a pass/fail table. "
        "Exit code 0 when every fact passes, 1 when some fail.",
    )
    p.add_argument("--households", type=whole(100), default=2000, help="households per run (2000)")
    p.add_argument("--seeds", type=whole(1), default=2, help="seeds per check (2)")
    p.add_argument(
        "--facts",
        metavar="1,2,...",
        help=f"only these checks (numbers 1-{len(FACTS)}, comma-separated)",
    )
    p.add_argument(
        "--knockouts",
        action="store_true",
        help="also run each check with its mechanism switched off, and say whether it fails "
        "then (a check that passes either way cannot tell the mechanism)",
    )
    p.set_defaults(handler=command)


def command(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``returnsim validate``."""
    from returnsim.errors import InputError

    only = None
    if args.facts:
        try:
            only = sorted({int(x) for x in args.facts.split(",")})
        except ValueError:
            raise InputError(
                f"--facts {args.facts!r}: expected numbers 1-{len(FACTS)}, e.g. 1,3,10"
            ) from None
        if any(not 1 <= x <= len(FACTS) for x in only):
            raise InputError(f"--facts {args.facts!r}: allowed: numbers from 1 to {len(FACTS)}")
    from returnsim import limits

    limits.check(base(args.households, scenario={"months": 132}), lower="--households")
    t0 = time.perf_counter()
    checks = validate(
        args.households,
        args.seeds,
        only,
        progress=lambda m: print(m, file=sys.stderr),
        knockouts=args.knockouts,
    )
    print(table(checks))
    print(
        f"({args.households:,} households, seeds 1-{args.seeds}, {time.perf_counter() - t0:.0f} s)"
    )
    return 0 if all(c.passed for c in checks) else 1
