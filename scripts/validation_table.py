"""Regenerate the validation table of docs/calibration.md from `returnsim validate`.

Runs every check at 2,000 households with seeds 1-2 (as the page says) and
rewrites the block between the GENERATED markers. Usage (from the repository):

    python scripts/validation_table.py
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from returnsim.validation import KNOCKOUTS, validate

DOC = Path(__file__).absolute().parents[1] / "docs" / "calibration.md"
BEGIN, END = "<!-- BEGIN GENERATED: validation -->", "<!-- END GENERATED: validation -->"


def main() -> None:
    t0 = time.perf_counter()
    checks = validate(2000, 2, knockouts=True)
    seconds = time.perf_counter() - t0
    rows = [
        f"`returnsim validate --households 2000 --seeds 2 --knockouts` (about {seconds:.0f} s "
        "on this machine). The knock-out runs the same check with the mechanism named "
        "switched off; a check that passes then too cannot tell that mechanism:",
        "",
        "| # | check | measured | criterion | verdict | without its mechanism |",
        "|---|---|---|---|---|---|",
    ]
    for c in checks:
        verdict = "pass" if c.passed else "**fail**"
        ko = c.knocked_out
        assert ko is not None
        without = f"{KNOCKOUTS[c.number][0]}: {ko.measured}; " + (
            "fails" if not ko.passed else "**passes: cannot tell**"
        )
        cells = (str(c.number), c.fact, c.measured, c.criterion, verdict, without)
        rows.append("| " + " | ".join(x.replace("|", "/") for x in cells) + " |")
    passed = sum(c.passed for c in checks)
    told = sum(bool(c.tells) for c in checks)
    rows += [
        "",
        f"{passed} of {len(checks)} checks pass; {told} of them fail with their mechanism "
        "switched off.",
    ]
    text = DOC.read_text(encoding="utf-8")
    block = f"{BEGIN}\n" + "\n".join(rows) + f"\n{END}"
    text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    DOC.write_text(text, encoding="utf-8")
    print(f"{DOC}: {passed} of {len(checks)} checks pass")


if __name__ == "__main__":
    main()
