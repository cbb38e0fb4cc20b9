"""A few plain sentences on what happened this month, for the room to read aloud."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from returnsim.viz.workshop import WorkshopModel

#: Change in violent events at a place that is worth a sentence ...
NOTABLE_EVENTS = 3.0
#: ... when it is also this large a ratio of last month's events.
NOTABLE_RATIO = 1.5

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(month: int, start_year: int) -> str:
    """``Month 14 (Mar 2005)``."""
    return f"Month {month} ({MONTHS[month % 12]} {start_year + month // 12})"


def _n(x: float) -> str:
    return f"{round(x):,}"


def _plural(x: float, noun: str) -> str:
    return f"{_n(x)} {noun}" + ("" if round(x) == 1 else "s")


def _hh(x: float) -> str:
    return _plural(x, "household")


def usd(x: float) -> str:
    """``USD 1.2 million`` or ``USD 45,000``."""
    return f"USD {x / 1e6:,.1f} million" if abs(x) >= 1e6 else f"USD {_n(x)}"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def violence_sentence(names: list[str], before: np.ndarray, now: np.ndarray) -> str:
    """Where violence rose or fell notably this month (empty when calm and steady)."""
    change = now - before
    up = (change >= NOTABLE_EVENTS) & (now >= NOTABLE_RATIO * before)
    down = (change <= -NOTABLE_EVENTS) & (before >= NOTABLE_RATIO * now)
    rose = [i for i in np.argsort(-change, kind="stable") if up[i]]
    fell = [i for i in np.argsort(change, kind="stable") if down[i]]
    parts = []
    for verb, ids in (("rose", rose), ("fell", fell)):
        if ids:
            top = ids[0]
            detail = f" ({_n(before[top])} to {_n(now[top])} violent events in {names[top]})"
            parts.append(f"violence {verb} in {_names([names[i] for i in ids[:3]])}{detail}")
    if not parts and now.sum() >= 3 * NOTABLE_EVENTS:
        worst = int(np.argmax(now))
        parts.append(f"violence went on ({_n(now.sum())} events), worst in {names[worst]}")
    return "; ".join(parts)


def month_story(model: WorkshopModel) -> str:
    """What happened this month: violence, flight, returns, the mission, the money."""
    spec, flows = model.spec, model.flows
    head = month_label(model.steps, spec["scenario.start_year"])
    counts = {k: model.count(s) for k, s in _stocks().items()}
    displaced = counts["internally_displaced"] + counts["refugees"]
    if model.steps == 0:
        return (
            f"{head}: the start of {spec.name}. {_hh(model.pop.n)}; "
            f"{_n(displaced)} displaced ({_n(counts['refugees'])} as refugees). "
            "Press Step or Play."
        )
    sentences = []
    violence = violence_sentence(
        model.places.names, np.asarray(model.prev_events), np.asarray(model.violence.events)
    )
    moves = []
    if flows.new_displacements:
        moves.append(f"{_hh(flows.new_displacements)} fled")
    if flows.redisplacements:
        moves.append(f"{_plural(flows.redisplacements, 'returnee')} displaced again")
    if flows.new_returns:
        moves.append(f"{_hh(flows.new_returns)} came home")
    if flows.returns_elsewhere:
        moves.append(f"{_n(flows.returns_elsewhere)} returned near home")
    if flows.trapped:
        moves.append(f"{_n(flows.trapped)} could not flee")
    first = "; ".join(p for p in (violence, ", ".join(moves)) if p)
    sentences.append(first[:1].upper() + first[1:] if first else "A quiet month")
    if flows.homes_destroyed:
        sentences.append(f"{_n(flows.homes_destroyed)} homes were destroyed")
    sentences.append(
        f"Now {_n(displaced)} displaced, {_n(counts['returned'])} back home, "
        f"{_n(counts['settled_elsewhere'])} settled elsewhere"
    )
    keepers = float(model.places.troops.sum() + model.places.police.sum())
    if keepers:
        sentences.append(f"{_n(keepers)} peacekeepers deployed")
    levers = sum(lever.spent_month for lever in model.budget.levers)
    mission = model.budget.peacekeeping_month
    money = []
    if levers:
        money.append(f"{usd(levers)} spent on programmes")
    if mission:
        money.append(f"{usd(mission)} on the mission")
    if money:
        sentences.append(", ".join(money))
    if model.steps >= model.months:
        sentences.append("The run is over: press Reset to play again")
    return f"{head}: " + ". ".join(sentences) + "."


def _stocks() -> dict:
    from returnsim.model import STOCKS

    return STOCKS
