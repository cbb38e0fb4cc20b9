"""Who a lever serves first: returnees, then the displaced, then everyone else.

Levers that reach households one by one (reconstruction, livelihood,
education) serve them in a fixed, deterministic order: priority group, then
household index. No random numbers are drawn, so paired runs stay paired.
"""

from __future__ import annotations

import numpy as np

from returnsim import households as hh

RETURNEES, DISPLACED, OTHERS = 0, 1, 2


def priority(status: np.ndarray) -> np.ndarray:
    """Priority group by status: 0 returnees, 1 the displaced, 2 everyone else."""
    table = np.full(len(hh.Status), OTHERS, dtype=np.int8)
    table[hh.Status.RETURNED] = RETURNEES
    table[list(hh.DISPLACED)] = DISPLACED
    return table[status]


def in_order(ids: np.ndarray, group: np.ndarray, limit: int | None = None) -> np.ndarray:
    """``ids`` (ascending) sorted by ``group``, then by household index (stable, no sort).

    With ``limit``, only the first ``limit`` of that order (the most a lever can serve).
    """
    out, n = [], 0
    for g in range(int(group.max(initial=-1)) + 1):
        if limit is not None and n >= limit:
            break
        part = ids[group == g]
        out.append(part)
        n += len(part)
    return np.concatenate(out)[:limit] if out else ids[:0]
