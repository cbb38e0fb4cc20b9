"""Thematic reports of one run: ``report.md`` and ``report.html`` (``returnsim run --report``).

The sections are those the Lithuania-Belarus border case asks to share with
institutions (issue 14): access to health care, access to information, women,
minors (0-4 and 5-17), LGBTQI+ people, persons with disabilities and older
people (60+). Each group section gives

- the group's persons displaced (IDPs and refugees), returned home and settled
  elsewhere by month (``groups.csv``), as a chart (HTML) or a table (Markdown);
- the group against the rest of the population at the end of the run: persons
  (``groups.csv``, ``summary.json`` ``by_person``) and households
  (``summary.json`` ``by_group``; the rest is the whole population minus the
  group);
- the IASC durable-solution criteria met by the group's ever-displaced
  households against the other ever-displaced households (computed here with
  ``reintegration.criteria``, the rules ``summary.json`` ``durable_solutions``
  uses, which disaggregates them by status only).

Health care and information are sections on what the model has: the services
index where people are and the beliefs displaced people hold about security at
home. Nothing is estimated that the model does not compute; what it does not
model is said in one line. The figures computed from the household state at
the end (:func:`access_figures`) need the model; a report built from the run
folder's files alone says so where they would be.

Both files are built from one list of blocks (:func:`blocks`), so the Markdown
and the HTML carry the same numbers. The HTML is one self-contained file:
inline styles and inline SVG charts, no scripts, fonts or links to fetch. The
same run (same seed) gives byte-identical reports: nothing in them depends on
the clock or the machine.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from returnsim import reintegration
from returnsim.households import PERSON_GROUPS, Status, person_columns

if TYPE_CHECKING:
    import pandas as pd

    from returnsim.model import ReturnModel

#: Report formats and their file names.
FORMATS: dict[str, str] = {"md": "report.md", "html": "report.html"}

#: groups.csv labels of persons by sex and age band; together they are every person.
BANDS: tuple[str, ...] = tuple(g for g in PERSON_GROUPS if not g.startswith("persons_"))

#: Statuses of groups.csv counted as displaced now.
DISPLACED = ("internally_displaced", "refugee")


@dataclass(frozen=True)
class Group:
    """A group of persons the report follows: its groups.csv labels and its household group.

    ``household``: (dimension, group) of ``summary.json`` ``by_group``; ``rest`` names the
    complementary group there when one exists (else the rest is the whole population
    minus the group).
    """

    key: str
    label: str
    persons: tuple[str, ...]
    household: tuple[str, str]
    household_label: str
    rest: str | None = None


GROUPS: dict[str, Group] = {
    g.key: g
    for g in (
        Group(
            "women",
            "Women (18+)",
            ("female_18-59", "female_60+"),
            ("sex_of_head", "female_head"),
            "female-headed households",
            rest="male_head",
        ),
        Group(
            "female_headed",
            "Persons in female-headed households",
            ("persons_female_headed",),
            ("sex_of_head", "female_head"),
            "female-headed households",
            rest="male_head",
        ),
        Group(
            "children_0_4",
            "Children 0-4",
            ("female_0-4", "male_0-4"),
            ("vulnerability", "with_children"),
            "households with children",
        ),
        Group(
            "children_5_17",
            "Children 5-17",
            ("female_5-17", "male_5-17"),
            ("vulnerability", "with_children"),
            "households with children",
        ),
        Group(
            "protection_risk",
            "Persons in households with a member at specific protection risk",
            ("persons_protection_risk",),
            ("vulnerability", "protection_risk"),
            "households with a member at specific protection risk",
        ),
        Group(
            "disability",
            "Persons in households with a member with a disability",
            ("persons_with_disability",),
            ("vulnerability", "disability"),
            "households with a member with a disability",
        ),
        Group(
            "older",
            "Older people (60+)",
            ("female_60+", "male_60+"),
            ("vulnerability", "older_member"),
            "households with a member aged 60+",
        ),
    )
}

#: Sections in order: key, title, groups followed (none for the access sections), and the
#: line that says who the group is in the model.
SECTIONS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("health", "Access to health care", (), ""),
    ("information", "Access to information", (), ""),
    (
        "women",
        "Women",
        ("women", "female_headed"),
        "Women are the female persons aged 18 and over (heads and members, `female_18-59` "
        "and `female_60+` in groups.csv); a household is female-headed when its head is a "
        "woman, and all its members count in `persons_female_headed`.",
    ),
    (
        "minors",
        "Minors (children 0-4 and 5-17)",
        ("children_0_4", "children_5_17"),
        "Children are the members aged 0-4 and 5-17 drawn for each household "
        "(`households.child_share`, `households.under5_share`); they move with their "
        "household (separation in flight is counted by household, under family "
        "reunification).",
    ),
    (
        "lgbtqi",
        "LGBTQI+ people",
        ("protection_risk",),
        "The model has no attribute for sexual orientation or gender identity: LGBTQI+ "
        "people are in the households with a member at specific protection risk "
        "(`households.protection_risk_share`, which also covers e.g. unaccompanied "
        "children). The model marks households, so all their members are counted "
        "(`persons_protection_risk`).",
    ),
    (
        "disability",
        "Persons with disabilities",
        ("disability",),
        "The model marks households with a member with a disability "
        "(`households.disability_share`); all their members are counted "
        "(`persons_with_disability`), not only the person with the disability.",
    ),
    (
        "older",
        "Older people (60+)",
        ("older",),
        "Older people are the persons aged 60 and over (`female_60+`, `male_60+`): heads "
        "aged 60+ and older members drawn with `households.older_member_share`.",
    ),
)

CRITERIA_LABELS: dict[str, str] = {
    "safety": "Long-term safety and security",
    "standard_of_living": "Adequate standard of living",
    "livelihood": "Livelihoods and employment",
    "housing_land_property": "Housing, land and property",
    "documentation": "Documentation",
    "family_reunification": "Family reunification",
    "public_participation": "Participation in public affairs",
    "remedies_and_justice": "Remedies and justice",
    "all": "All eight criteria",
}


# ------------------------------------------------------------------ figures from the model
def access_figures(model: ReturnModel) -> dict[str, Any]:
    """Figures of the household state at the end that the run folder's files do not hold.

    ``persons``: per report group (``GROUPS``) and ``all``, ``{"group": ..., "rest": ...}``
    (``all`` has only ``group``) of

    - ``services_now``: mean effective services index where the persons are now (the
      services level of the place diluted by crowding beyond capacity, as the decision
      rule and the reintegration indicators read it; 0-1);
    - ``displaced``: persons still displaced (IDPs and refugees);
    - ``belief_security``, ``actual_security``, ``belief_gap``: among them, mean
      believed security at home, mean actual security at home, and mean absolute
      difference (None when nobody of the group is displaced).

    ``criteria``: per report group, ``{"group": {criterion: share}, "rest": ...}``: share
    of the group's ever-displaced households meeting each IASC criterion
    (``reintegration.criteria``), and of the other ever-displaced households; ``all``:
    every ever-displaced household.
    """
    pop, places = model.pop, model.places
    columns = dict(
        zip(
            PERSON_GROUPS,
            (c.astype(np.float64) for c in person_columns(pop, slice(None))),
            strict=True,
        )
    )
    everyone = sum(columns[b] for b in BANDS)
    services = places.effective_services()[pop.place]
    displaced = (pop.status == Status.INTERNALLY_DISPLACED) | (pop.status == Status.REFUGEE)
    belief = pop.belief_security.astype(np.float64)
    actual = places.security[pop.origin].astype(np.float64)

    def figures(weight: np.ndarray) -> dict[str, Any]:
        away = np.where(displaced, weight, 0.0)
        n_away = float(away.sum())

        def mean(values: np.ndarray, w: np.ndarray, total: float) -> float | None:
            return float((values * w).sum() / total) if total > 0 else None

        return {
            "services_now": mean(services, weight, float(weight.sum())),
            "displaced": round(n_away),
            "belief_security": mean(belief, away, n_away),
            "actual_security": mean(actual, away, n_away),
            "belief_gap": mean(np.abs(belief - actual), away, n_away),
        }

    persons: dict[str, Any] = {"all": {"group": figures(everyone)}}
    for key, g in GROUPS.items():
        weight = sum(columns[label] for label in g.persons)
        persons[key] = {"group": figures(weight), "rest": figures(everyone - weight)}

    met = reintegration.criteria(model, slice(None))
    ever = pop.times_displaced > 0
    masks = {
        "female_head": pop.female_head,
        "with_children": pop.children > 0,
        "protection_risk": pop.protection_risk,
        "disability": pop.disability,
        "older_member": pop.older,
    }

    def shares(mask: np.ndarray) -> dict[str, float | None]:
        n = int(np.count_nonzero(mask))
        return {k: (float(np.count_nonzero(v & mask)) / n if n else None) for k, v in met.items()}

    criteria: dict[str, Any] = {"all": {"group": shares(ever), "households": int(ever.sum())}}
    for key, g in GROUPS.items():
        mask = masks[g.household[1]]
        criteria[key] = {
            "group": shares(ever & mask),
            "rest": shares(ever & ~mask),
            "households": int(np.count_nonzero(ever & mask)),
            "rest_households": int(np.count_nonzero(ever & ~mask)),
        }
    return {"persons": persons, "criteria": criteria}


# ------------------------------------------------------------------ blocks
@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Para:
    """A paragraph; text in `backticks` is code."""

    text: str


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    """Monthly series (one line each) drawn in HTML, tabled (every few months) in Markdown."""

    title: str
    months: tuple[int, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    unit: str


Block = Heading | Para | Table | Chart


def pct(x: float | None) -> str:
    """A share as a percentage with one decimal; "n/a" when undefined."""
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.1f}%"


def num(x: float | None) -> str:
    """A count of persons or households, with thousands separators."""
    return "n/a" if x is None else f"{round(x):,}"


def idx(x: float | None) -> str:
    """An index on 0-1, two decimals."""
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2f}"


def money(x: float | None) -> str:
    return "n/a" if x is None else f"USD {x:,.0f}"


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def person_series(groups: pd.DataFrame, labels: Sequence[str]) -> dict[str, np.ndarray]:
    """Persons of ``labels`` (summed) by month: ``months``, ``displaced`` (IDPs and
    refugees), ``returned``, ``settled_elsewhere`` and ``total`` (every status)."""
    rows = groups[groups["group"].isin(list(labels))]
    table = rows.pivot_table(
        index="month", columns="status", values="persons", aggfunc="sum", fill_value=0
    ).sort_index()
    out = {"months": table.index.to_numpy(dtype=np.int64)}

    def col(name: str) -> np.ndarray:
        return (
            table[name].to_numpy(dtype=np.int64)
            if name in table
            else np.zeros(len(table), np.int64)
        )

    out["displaced"] = sum(col(s) for s in DISPLACED)
    out["returned"] = col("returned")
    out["settled_elsewhere"] = col("settled_elsewhere")
    out["total"] = table.sum(axis=1).to_numpy(dtype=np.int64)
    return out


def _end_persons(groups: pd.DataFrame, summary: Mapping[str, Any], labels: Sequence[str]) -> dict:
    """Persons of ``labels`` at the end: from groups.csv (last month) and ever displaced from
    ``summary.json`` ``by_person``."""
    s = person_series(groups, labels)
    by_person = summary.get("by_person", {})
    return {
        "persons": int(s["total"][-1]),
        "ever_displaced": sum(int(by_person[label]["ever_displaced"]) for label in labels)
        if all(label in by_person for label in labels)
        else None,
        "returned": int(s["returned"][-1]),
        "still_displaced": int(s["displaced"][-1]),
        "settled_elsewhere": int(s["settled_elsewhere"][-1]),
    }


def _gap(a: float | None, b: float | None) -> str:
    """`` (N percentage points more/fewer)`` between two shares, or nothing when undefined."""
    if a is None or b is None:
        return ""
    d = round(100 * (a - b), 1)
    if d == 0:
        return " (the same share)"
    return f" ({abs(d):.1f} percentage points {'more' if d > 0 else 'fewer'})"


def _person_rows(group: dict, rest: dict) -> tuple[tuple[str, ...], ...]:
    def shares(d: dict, key: str) -> str:
        return (
            pct(_ratio(d[key], d["ever_displaced"])) if d["ever_displaced"] is not None else "n/a"
        )

    return (
        ("Persons", num(group["persons"]), num(rest["persons"])),
        ("Ever displaced", num(group["ever_displaced"]), num(rest["ever_displaced"])),
        ("Returned home", num(group["returned"]), num(rest["returned"])),
        ("Still displaced", num(group["still_displaced"]), num(rest["still_displaced"])),
        ("Settled elsewhere", num(group["settled_elsewhere"]), num(rest["settled_elsewhere"])),
        ("Returned, share of ever displaced", shares(group, "returned"), shares(rest, "returned")),
        (
            "Still displaced, share of ever displaced",
            shares(group, "still_displaced"),
            shares(rest, "still_displaced"),
        ),
    )


HOUSEHOLD_KEYS = (
    "households",
    "ever_displaced",
    "returned",
    "still_displaced",
    "settled_elsewhere",
    "sustainably_reintegrated",
)
DIMENSIONS = tuple(f"reintegration_{d}" for d in reintegration.DIMENSIONS)


def household_rest(whole: Mapping[str, Any], group: Mapping[str, Any]) -> dict[str, Any]:
    """The whole population's household outcomes minus a group's (counts subtracted, means
    of returnees recombined), in the shape of ``summary.json`` ``by_group`` rows."""
    rest: dict[str, Any] = {k: whole[k] - group[k] for k in HOUSEHOLD_KEYS}
    for key in DIMENSIONS:
        wr, gr = whole["returned"], group["returned"]
        if rest["returned"] and whole[key] is not None:
            rest[key] = (whole[key] * wr - (group[key] or 0.0) * gr) / rest["returned"]
        else:
            rest[key] = None
    rest["returned_share"] = _ratio(rest["returned"], rest["ever_displaced"])
    rest["still_displaced_share"] = _ratio(rest["still_displaced"], rest["ever_displaced"])
    rest["sustainably_reintegrated_share"] = _ratio(
        rest["sustainably_reintegrated"], rest["returned"]
    )
    return rest


def _household_table(summary: Mapping[str, Any], g: Group) -> tuple[list[Block], dict | None]:
    dim, name = g.household
    group = summary.get("by_group", {}).get(dim, {}).get(name)
    if group is None:
        return [Para(f"summary.json has no `by_group.{dim}.{name}`: no household figures.")], None
    if g.rest is not None:
        rest, rest_label = summary["by_group"][dim][g.rest], "other households"
        where = f"`by_group.{dim}.{name}` and `by_group.{dim}.{g.rest}`"
    else:
        rest, rest_label = household_rest(summary, group), "other households"
        where = f"`by_group.{dim}.{name}`; the rest is the whole population minus the group"
    rows = (
        ("Households", num(group["households"]), num(rest["households"])),
        ("Ever displaced", num(group["ever_displaced"]), num(rest["ever_displaced"])),
        (
            "Returned, share of ever displaced",
            pct(group["returned_share"]),
            pct(rest["returned_share"]),
        ),
        (
            "Still displaced, share of ever displaced",
            pct(group["still_displaced_share"]),
            pct(rest["still_displaced_share"]),
        ),
        (
            "Returnees sustainably reintegrated",
            pct(group.get("sustainably_reintegrated_share")),
            pct(rest.get("sustainably_reintegrated_share")),
        ),
        *(
            (
                f"Reintegration index, {key.removeprefix('reintegration_')} (returnees, 0-1)",
                idx(group.get(key)),
                idx(rest.get(key)),
            )
            for key in DIMENSIONS
        ),
    )
    return [
        Para(
            f"Households ({g.household_label}) against the {rest_label}, at the end of the run; "
            f"from summary.json {where}. A returnee is sustainably reintegrated when each "
            "reintegration dimension reaches `outcomes.reintegration_threshold`."
        ),
        Table(("", g.household_label.capitalize(), rest_label.capitalize()), rows),
    ], group


def _criteria_blocks(access: Mapping[str, Any] | None, g: Group) -> list[Block]:
    if access is None:
        return [Para(NO_MODEL.format(what="The durable-solution criteria by group"))]
    c = access["criteria"][g.key]
    rows = tuple(
        (CRITERIA_LABELS.get(k, k), pct(c["group"][k]), pct(c["rest"][k])) for k in c["group"]
    )
    return [
        Para(
            f"IASC durable-solution criteria met by ever-displaced {g.household_label} "
            f"({num(c['households'])}) against the other ever-displaced households "
            f"({num(c['rest_households'])}), at the end of the run; the rules of "
            "summary.json `durable_solutions` (`reintegration.criteria`), which there are "
            "disaggregated by status only."
        ),
        Table(
            ("Criterion", g.household_label.capitalize(), "Other ever-displaced households"), rows
        ),
    ]


NO_MODEL = "{what} need the model's household state: not in this report (built from files)."


def _group_blocks(
    groups: pd.DataFrame, summary: Mapping[str, Any], access: Mapping[str, Any] | None, g: Group
) -> list[Block]:
    s = person_series(groups, g.persons)
    group = _end_persons(groups, summary, g.persons)
    whole = _end_persons(groups, summary, BANDS)
    rest = {
        k: (None if whole[k] is None or group[k] is None else whole[k] - group[k]) for k in whole
    }
    months = tuple(int(m) for m in s["months"])
    end = months[-1]
    g_ret = _ratio(group["returned"], group["ever_displaced"] or 0)
    r_ret = _ratio(rest["returned"], rest["ever_displaced"] or 0)
    peak = int(np.argmax(s["displaced"]))
    out: list[Block] = [
        Heading(3, g.label, g.key),
        Chart(
            f"{g.label}: persons by month",
            months,
            (
                ("Displaced (IDPs and refugees)", tuple(float(v) for v in s["displaced"])),
                ("Returned home", tuple(float(v) for v in s["returned"])),
                ("Settled elsewhere", tuple(float(v) for v in s["settled_elsewhere"])),
            ),
            "persons",
        ),
        Para(
            f"Persons of the group displaced, back home and settled elsewhere each month "
            f"(groups.csv, labels {', '.join(f'`{x}`' for x in g.persons)}, statuses "
            f"`internally_displaced` + `refugee`, `returned`, `settled_elsewhere`). "
            f"Displacement peaked at {num(s['displaced'][peak])} persons in month "
            f"{months[peak]}; {num(s['displaced'][-1])} are still displaced in month {end}."
        ),
        Table(
            ("At the end (month " + str(end) + ")", g.label, "Rest of the population"),
            _person_rows(group, rest),
        ),
        Para(
            f"What it means: {pct(g_ret)} of the group's ever-displaced persons are back home "
            f"at the end, against {pct(r_ret)} of the rest of the population{_gap(g_ret, r_ret)}. "
            "Persons from "
            "groups.csv (last month); ever displaced from summary.json `by_person`; the rest "
            "is every person (the sex and age bands) minus the group."
        ),
    ]
    return out


def _group_section(
    groups: pd.DataFrame,
    summary: Mapping[str, Any],
    access: Mapping[str, Any] | None,
    key: str,
    title: str,
    members: Sequence[str],
    who: str,
) -> list[Block]:
    out: list[Block] = [Heading(2, title, key), Para(who)]
    for gkey in members:
        out += _group_blocks(groups, summary, access, GROUPS[gkey])
    g = GROUPS[members[0]]
    table, _ = _household_table(summary, g)
    out += [Heading(3, g.household_label.capitalize(), f"{key}-households"), *table]
    out += _criteria_blocks(access, g)
    out += _extras(summary, key)
    return out


def _lever(summary: Mapping[str, Any], lever: str) -> Mapping[str, Any]:
    return summary.get("levers", {}).get(lever, {})


def _extras(summary: Mapping[str, Any], key: str) -> list[Block]:
    """Lines of the lever summaries that concern one group (only those the run reports)."""
    protection, mhpss = _lever(summary, "protection"), _lever(summary, "mhpss")
    education = _lever(summary, "education")
    rows: list[tuple[str, str, str]] = []
    if key == "women":
        for k, label in (
            ("female_headed_unreached_now", "Female-headed households the services miss now"),
            (
                "sheltered_household_months_female_headed",
                "Female-headed household-months sheltered",
            ),
        ):
            if k in protection:
                rows.append((label, num(protection[k]), f"`levers.protection.{k}`"))
        for k, label in (
            ("female_headed_household_months_seen", "Female-headed household-months seen by MHPSS"),
            ("women_and_girls_seen_person_months", "Women and girls seen by MHPSS (person-months)"),
        ):
            if k in mhpss:
                rows.append((label, num(mhpss[k]), f"`levers.mhpss.{k}`"))
    elif key == "minors":
        for k, label in (
            ("enrolment_child_months", "Child-months of school enrolment support"),
            ("catchup_children", "Children in catch-up classes"),
        ):
            if k in education:
                rows.append((label, num(education[k]), f"`levers.education.{k}`"))
        if "families_reunited_by_tracing" in protection:
            rows.append(
                (
                    "Families reunited by tracing",
                    num(protection["families_reunited_by_tracing"]),
                    "`levers.protection.families_reunited_by_tracing`",
                )
            )
    elif key == "lgbtqi" and "relocated_households" in protection:
        rows.append(
            (
                "Households at risk relocated to safe accommodation",
                num(protection["relocated_households"]),
                "`levers.protection.relocated_households`",
            )
        )
    if not rows:
        return []
    return [
        Para(
            "Programme reach for this group over the run (summary.json `levers`; 0 when "
            "the lever is off or not funded)."
        ),
        Table(("Measure", "Value", "Source"), tuple(rows)),
    ]


def _access_rows(access: Mapping[str, Any], field: str, fmt: Any) -> tuple[tuple[str, ...], ...]:
    persons = access["persons"]
    rows = [("All persons", fmt(persons["all"]["group"][field]), "")]
    for key, g in GROUPS.items():
        rows.append((g.label, fmt(persons[key]["group"][field]), fmt(persons[key]["rest"][field])))
    return tuple(rows)


def _status_criterion(summary: Mapping[str, Any], name: str) -> list[Block]:
    row = summary.get("durable_solutions", {}).get(name)
    if row is None:
        return []
    cols = ("returned", "settled_elsewhere", "still_displaced", "never_displaced")
    return [
        Table(
            (
                "Households meeting it",
                "Returned",
                "Settled elsewhere",
                "Still displaced",
                "Never displaced",
            ),
            ((CRITERIA_LABELS[name], *(pct(row.get(c)) for c in cols)),),
        )
    ]


def _series(ts: pd.DataFrame, column: str) -> tuple[float, ...] | None:
    return tuple(float(v) for v in ts[column]) if column in ts else None


def _mortality(ts: pd.DataFrame, summary: Mapping[str, Any]) -> list[Block]:
    """Crude and under-5 mortality of the displaced against the Sphere emergency
    thresholds, and deaths by cause, sex and age band."""
    mortality = summary.get("mortality")
    cmr, u5 = _series(ts, "cmr_displaced"), _series(ts, "u5mr_displaced")
    if not mortality or cmr is None or u5 is None:
        return []
    months = tuple(int(m) for m in ts["month"])
    causes = mortality.get("deaths_by_cause", {})
    return [
        Chart(
            "Mortality of the displaced by month",
            months,
            (("Crude (CMR)", cmr), ("Under 5 (U5MR)", u5)),
            "deaths per 10,000 a day",
        ),
        Para(
            "Deaths per 10,000 displaced persons a day (timeseries.csv `cmr_displaced`, "
            "`u5mr_displaced`). The Sphere emergency thresholds are 1 (crude) and 2 (under "
            f"5): exceeded in {mortality.get('months_cmr_above_sphere', 0)} and "
            f"{mortality.get('months_u5mr_above_sphere', 0)} months of {len(months)}; the "
            f"crude rate peaks at {max(cmr, default=0.0):.2f}. Deaths over the run: "
            f"{num(mortality.get('deaths_total'))} "
            f"({', '.join(f'{c} {num(n)}' for c, n in causes.items())}), of which "
            f"{num(mortality.get('deaths_in_flight'))} in flight; births "
            f"{num(mortality.get('births_total'))} (summary.json `mortality`)."
        ),
        Table(
            ("Deaths by sex and age", "Persons"),
            tuple(
                (k.replace("_", " "), num(v))
                for k, v in mortality.get("deaths_by_sex_and_age", {}).items()
            ),
        ),
    ]


def _health(
    ts: pd.DataFrame, summary: Mapping[str, Any], access: Mapping[str, Any] | None
) -> list[Block]:
    out: list[Block] = [
        Heading(2, "Access to health care", "health"),
        Para(
            "Health care is modelled as each place's clinic coverage and water and sanitation "
            "(the `health` lever) with the general services index (0-1, health, education, "
            "water and shelter together, diluted where a place is crowded). Together with "
            "crowding they set how far disease deaths rise above the baseline for the displaced "
            "in camps and host places, in flight and at home (`demography`, docs/ODD.md)."
        ),
    ]
    out += _mortality(ts, summary)
    months = tuple(int(m) for m in ts["month"])
    services = _series(ts, "mean_services")
    if services is not None:
        out += [
            Chart(
                "Services index at home places by month",
                months,
                (("Services at home places", services),),
                "index 0-1",
            ),
            Para(
                "The services level of the home places, averaged over the households who "
                "call them home (timeseries.csv `mean_services`): what a returnee finds. "
                f"It is {idx(services[0])} in month {months[0]} and {idx(services[-1])} in "
                f"month {months[-1]}."
            ),
        ]
    if access is None:
        out.append(Para(NO_MODEL.format(what="The services index where each group lives")))
    else:
        out += [
            Para(
                "Mean services index where the persons of each group live at the end of the "
                "run (the place's services diluted by crowding, as the decision rule and the "
                "reintegration indicators read it), against the rest of the population."
            ),
            Table(
                ("Group", "Services where they live", "Rest of the population"),
                _access_rows(access, "services_now", idx),
            ),
        ]
    out += [
        Para(
            "Adequate standard of living (services at least `outcomes.solution_services_min` "
            "and food security at least `outcomes.solution_food_min`), by status, from "
            "summary.json `durable_solutions.standard_of_living`:"
        ),
        *_status_criterion(summary, "standard_of_living"),
    ]
    rows: list[tuple[str, str, str]] = []
    mhpss, recon = _lever(summary, "mhpss"), _lever(summary, "reconstruction")
    if "household_months_seen" in mhpss:
        rows.append(
            (
                "Household-months seen by MHPSS",
                num(mhpss["household_months_seen"]),
                "`levers.mhpss.household_months_seen`",
            )
        )
    if "health_posts_completed" in recon:
        rows.append(
            (
                "Health posts completed",
                f"{recon['health_posts_completed']:,.1f}",
                "`levers.reconstruction.health_posts_completed`",
            )
        )
    health = _lever(summary, "health")
    for key, label in (
        ("clinic_person_months", "Person-months covered by clinics"),
        ("wash_person_months", "Person-months covered by water and sanitation"),
        ("children_vaccinated", "Children vaccinated against measles"),
    ):
        if key in health:
            rows.append((label, num(health[key]), f"`levers.health.{key}`"))
    spending = summary.get("spending_by_lever", {})
    for lever in ("health", "aid", "mhpss"):
        if lever in spending:
            rows.append(
                (f"Spending on {lever}", money(spending[lever]), f"`spending_by_lever.{lever}`")
            )
    if rows:
        out += [
            Para(
                "Related services and spending over the run (summary.json; 0 when the lever "
                "is off or not funded):"
            ),
            Table(("Measure", "Value", "Source"), tuple(rows)),
        ]
    return out


def _information(
    ts: pd.DataFrame, summary: Mapping[str, Any], access: Mapping[str, Any] | None
) -> list[Block]:
    out: list[Block] = [
        Heading(2, "Access to information", "information"),
        Para(
            "Information is modelled as what displaced households believe about security and "
            "conditions at home, learnt each month through their ties and those back home, "
            "information campaigns and go-and-see visits (`rules.learn`); where people get "
            "their news and in which language is not modelled. Belief decides whether return "
            "is considered at all."
        ),
    ]
    months = tuple(int(m) for m in ts["month"])
    intending, unable = _series(ts, "intending_return"), _series(ts, "unable_to_return")
    series = tuple(
        (n, v)
        for n, v in (("Intending to return", intending), ("Unable to return", unable))
        if v is not None
    )
    if series:
        out += [
            Chart(
                "Households intending or unable to return by month", months, series, "households"
            ),
            Para(
                "Displaced households who believe home safe enough to go, and those who "
                "would go but cannot, each month (timeseries.csv `intending_return`, "
                "`unable_to_return`)."
            ),
        ]
    if access is None:
        out.append(Para(NO_MODEL.format(what="Beliefs about home by group")))
    else:
        persons = access["persons"]
        rows = [
            (
                "All persons",
                num(persons["all"]["group"]["displaced"]),
                idx(persons["all"]["group"]["belief_security"]),
                idx(persons["all"]["group"]["actual_security"]),
                idx(persons["all"]["group"]["belief_gap"]),
                "",
            )
        ]
        for key, g in GROUPS.items():
            a, r = persons[key]["group"], persons[key]["rest"]
            rows.append(
                (
                    g.label,
                    num(a["displaced"]),
                    idx(a["belief_security"]),
                    idx(a["actual_security"]),
                    idx(a["belief_gap"]),
                    idx(r["belief_gap"]),
                )
            )
        out += [
            Para(
                "Among persons still displaced at the end: believed and actual security at "
                "home (0-1) and the mean gap between them (0: they know the truth), against "
                "the rest of the displaced population."
            ),
            Table(
                (
                    "Group",
                    "Displaced persons",
                    "Believed security",
                    "Actual security",
                    "Gap",
                    "Gap, rest",
                ),
                tuple(rows),
            ),
        ]
    gap = {k: summary.get(k) for k in ("hope_share", "intention_share", "returned_12m_share")}
    if any(v is not None for v in gap.values()):
        out += [
            Para(
                "Hope, intention and return among households away from home or back in the "
                "last 12 months (summary.json `hope_share`, `intention_share`, "
                "`returned_12m_share`; not disaggregated by group):"
            ),
            Table(
                ("Hope to return", "Intend to return", "Returned in the last 12 months"),
                (
                    (
                        pct(gap["hope_share"]),
                        pct(gap["intention_share"]),
                        pct(gap["returned_12m_share"]),
                    ),
                ),
            ),
        ]
    spent = summary.get("spending_by_lever", {}).get("information")
    if spent is not None:
        out.append(
            Para(
                f"Spending on information campaigns and go-and-see visits: {money(spent)} "
                "(summary.json `spending_by_lever.information`)."
            )
        )
    out += [
        Para(
            "Civil documentation, needed to register, vote and claim, by status "
            "(summary.json `durable_solutions.documentation`):"
        ),
        *_status_criterion(summary, "documentation"),
    ]
    return out


def blocks(
    groups: pd.DataFrame,
    timeseries: pd.DataFrame,
    summary: Mapping[str, Any],
    access: Mapping[str, Any] | None = None,
) -> list[Block]:
    """The report as blocks: a heading, then every section of :data:`SECTIONS`."""
    months = int(summary.get("months", int(timeseries["month"].iloc[-1])))
    out: list[Block] = [
        Heading(1, f"Thematic report: {summary.get('scenario', 'run')}"),
        Para(
            f"Seed {summary.get('seed', 'n/a')}, {months} months, "
            f"{num(summary.get('simulated_households', summary.get('households')))} simulated "
            f"households standing for {num(summary.get('households'))} real ones. The model's "
            "figures for each group over time and against the rest of the population; every "
            "figure names the file and column or key it comes from in this run folder "
            "(groups.csv, timeseries.csv, summary.json) or says it is computed from the "
            "household state at the end. Persons and households are at real scale (the "
            "simulated ones times summary.json `weight`)."
        ),
        Para(
            f"Spent {money(summary.get('total_cost'))}: programmes "
            f"{money(summary.get('programme_cost'))}, the peacekeeping mission "
            f"{money(summary.get('peacekeeping_cost'))} (summary.json `total_cost`, "
            f"`programme_cost`, `peacekeeping_cost`; the budget covers "
            f"{summary.get('budget_covers', 'programmes')})."
        ),
        Para("Sections: " + "; ".join(title for _, title, _, _ in SECTIONS) + "."),
    ]
    for key, title, members, who in SECTIONS:
        if key == "health":
            out += _health(timeseries, summary, access)
        elif key == "information":
            out += _information(timeseries, summary, access)
        else:
            out += _group_section(groups, summary, access, key, title, members, who)
    return out


# ------------------------------------------------------------------ Markdown
def _sample(months: Sequence[int], rows: int = 13) -> list[int]:
    """Indices of about ``rows`` evenly spaced months, the first and the last included."""
    n = len(months)
    step = max(1, math.ceil((n - 1) / (rows - 1))) if n > 1 else 1
    picks = list(range(0, n, step))
    if picks[-1] != n - 1:
        picks.append(n - 1)
    return picks


def _formatter(c: Chart) -> Callable[[float], str]:
    """Two decimals for indices and rates, whole numbers for counts."""
    return idx if c.unit.startswith(("index", "deaths per")) else num


def _chart_table(c: Chart) -> Table:
    picks = _sample(c.months)
    fmt = _formatter(c)
    return Table(
        ("Month", *(name for name, _ in c.series)),
        tuple((str(c.months[i]), *(fmt(v[i]) for _, v in c.series)) for i in picks),
    )


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _md_table(t: Table) -> str:
    lines = [
        "| " + " | ".join(_md_cell(h) for h in t.header) + " |",
        "|" + "|".join("---" for _ in t.header) + "|",
    ]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in t.rows]
    return "\n".join(lines)


def markdown(items: Iterable[Block]) -> str:
    """The blocks as Markdown (charts as tables of every few months)."""
    parts = []
    for b in items:
        if isinstance(b, Heading):
            parts.append("#" * b.level + " " + b.text)
        elif isinstance(b, Para):
            parts.append(b.text)
        elif isinstance(b, Table):
            parts.append(_md_table(b))
        else:
            parts.append(
                f"*{b.title}* ({b.unit}; chart in report.html):\n\n{_md_table(_chart_table(b))}"
            )
    return "\n\n".join(parts) + "\n"


# ------------------------------------------------------------------ HTML
COLOURS = ("#b2182b", "#2166ac", "#4d9221", "#762a83")

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}
h3{margin-top:1.6rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.92rem}
th,td{border:1px solid #ccc;padding:.25rem .55rem;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}
code{background:#f3f3f3;padding:0 .2rem;border-radius:3px;font-size:.88em}
figure{margin:.6rem 0}figcaption{font-size:.9rem;color:#444}
svg text{font-size:11px;fill:#333}
nav ul{columns:2}
@media print{h2{break-before:auto}figure,table{break-inside:avoid}}
"""


def _inline(text: str) -> str:
    """Escaped text with `code` spans."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def _html_table(t: Table) -> str:
    head = "".join(f"<th>{_inline(h)}</th>" for h in t.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in t.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _nice_max(x: float) -> float:
    """A round number at least ``x`` for the top of an axis."""
    if x <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(x))
    for f in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if f * mag >= x:
            return f * mag
    return 10 * mag


def svg_chart(c: Chart, width: int = 640, height: int = 230) -> str:
    """A line chart as inline SVG (no external references), with axes and a legend."""
    left, right, top, bottom = 56, 12, 14, 52
    w, h = width - left - right, height - top - bottom
    top_value = max((max(v) for _, v in c.series if v), default=0.0)
    if c.unit.startswith("index"):
        top_value = max(top_value, 1.0)
    ymax = _nice_max(top_value)
    m0, m1 = c.months[0], c.months[-1]
    span = max(1, m1 - m0)

    def x(m: float) -> float:
        return left + w * (m - m0) / span

    def y(v: float) -> float:
        return top + h * (1 - v / ymax)

    fmt = _formatter(c)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{html.escape(c.title)}">',
        f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="#fff" stroke="#bbb"/>',
    ]
    for k in range(5):
        v = ymax * k / 4
        yy = y(v)
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{left + w}" y2="{yy:.1f}" stroke="#eee"/>'
        )
        parts.append(f'<text x="{left - 5}" y="{yy + 4:.1f}" text-anchor="end">{fmt(v)}</text>')
    for i in _sample(c.months, 9):
        m = c.months[i]
        parts.append(f'<text x="{x(m):.1f}" y="{top + h + 15}" text-anchor="middle">{m}</text>')
    parts.append(
        f'<text x="{left + w / 2:.1f}" y="{top + h + 30}" text-anchor="middle">month</text>'
    )
    for j, (name, values) in enumerate(c.series):
        colour = COLOURS[j % len(COLOURS)]
        points = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in zip(c.months, values, strict=True))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
        )
        lx = left + j * (w / max(1, len(c.series)))
        ly = height - 8
        parts.append(
            f'<line x1="{lx:.1f}" y1="{ly - 4}" x2="{lx + 18:.1f}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="3"/>'
        )
        parts.append(f'<text x="{lx + 23:.1f}" y="{ly}">{html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def html_page(items: Sequence[Block]) -> str:
    """The blocks as one self-contained HTML page (inline styles and SVG, nothing fetched)."""
    title = next((b.text for b in items if isinstance(b, Heading) and b.level == 1), "Report")
    toc = "".join(
        f'<li><a href="#{b.anchor}">{html.escape(b.text)}</a></li>'
        for b in items
        if isinstance(b, Heading) and b.level == 2 and b.anchor
    )
    body = []
    for b in items:
        if isinstance(b, Heading):
            anchor = f' id="{b.anchor}"' if b.anchor else ""
            body.append(f"<h{b.level}{anchor}>{html.escape(b.text)}</h{b.level}>")
            if b.level == 1:
                body.append(f"<nav><ul>{toc}</ul></nav>")
        elif isinstance(b, Para):
            body.append(f"<p>{_inline(b.text)}</p>")
        elif isinstance(b, Table):
            body.append(_html_table(b))
        else:
            body.append(
                f"<figure>{svg_chart(b)}<figcaption>{html.escape(b.title)} ({html.escape(b.unit)})"
                f"</figcaption><details><summary>Figures</summary>{_html_table(_chart_table(b))}"
                "</details></figure>"
            )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


# ------------------------------------------------------------------ entry points
def parse_formats(text: str) -> tuple[str, ...]:
    """``"md"``, ``"html"`` or both comma-separated, in :data:`FORMATS` order; ValueError
    naming the bad one otherwise."""
    asked = [t.strip().lower() for t in text.split(",")]
    bad = [t for t in asked if t not in FORMATS]
    if bad or not asked:
        raise ValueError(f"{bad[0] if bad else text!r} is not a report format")
    return tuple(f for f in FORMATS if f in asked)


def render(
    groups: pd.DataFrame,
    timeseries: pd.DataFrame,
    summary: Mapping[str, Any],
    access: Mapping[str, Any] | None = None,
    formats: Sequence[str] = tuple(FORMATS),
) -> dict[str, str]:
    """The report texts by file name (``report.md``, ``report.html``)."""
    items = blocks(groups, timeseries, summary, access)
    out = {}
    if "md" in formats:
        out[FORMATS["md"]] = markdown(items)
    if "html" in formats:
        out[FORMATS["html"]] = html_page(items)
    return out


def write(
    folder: str | Path,
    summary: Mapping[str, Any],
    model: ReturnModel | None = None,
    formats: Sequence[str] = tuple(FORMATS),
) -> list[str]:
    """Write the report of the run folder ``folder`` (its groups.csv and timeseries.csv,
    ``summary``, and the model's household state at the end when ``model`` is given);
    return the names written."""
    import pandas as pd

    folder = Path(folder)
    groups = pd.read_csv(folder / "groups.csv")
    timeseries = pd.read_csv(folder / "timeseries.csv")
    access = access_figures(model) if model is not None else None
    texts = render(groups, timeseries, summary, access, formats)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return list(texts)
