"""Every scenario parameter: name, unit, default, plausible range and source.

The registry gathers every parameter, each declared with keywords beside the
code that reads it (``PARAMS`` of ``households``, ``conflict``,
``peacekeeping``, ``rules``, ``reintegration``, ``places``, ``shocks`` and
each lever module); the ``scenario.*`` section is declared here. Scenario
validation, ``returnsim describe``, docs/ODD.md and the sensitivity ranges of
the experiment runner all read it. Sources point to ``EVIDENCE.md`` entries;
"assumption" marks a value chosen for plausibility, to be explored over its
range.
"""

from __future__ import annotations

from returnsim import conflict, households, peacekeeping, places, reintegration, rules
from returnsim.demography import PARAMS as DEMOGRAPHY_PARAMS
from returnsim.interventions import LEVERS
from returnsim.interventions import PARAMS as LEVER_PARAMS
from returnsim.param import Param
from returnsim.shocks import PARAMS as SHOCK_PARAMS
from returnsim.state import PARAMS as STATE_PARAMS

PARAMS: tuple[Param, ...] = (
    # --- scenario -------------------------------------------------------
    Param(
        key="scenario.name",
        default="unnamed",
        unit="",
        doc="Scenario name",
        source="user",
        kind="str",
    ),
    Param(
        key="scenario.description",
        default="",
        unit="",
        doc="What the scenario represents",
        source="user",
        kind="str",
    ),
    Param(
        key="scenario.months",
        default=120,
        unit="months",
        doc="Length of the run",
        source="user",
        low=1,
        high=1200,
        kind="int",
    ),
    Param(
        key="scenario.seed",
        default=42,
        unit="",
        doc="Seed of the run's SeedSequence",
        source="user",
        low=0,
        high=2**63 - 1,
        kind="int",
    ),
    Param(
        key="scenario.start_year",
        default=2000,
        unit="year",
        doc="Calendar year of month 0 (labels only)",
        source="user",
        low=1900,
        high=2100,
        kind="int",
    ),
    Param(
        key="scenario.start_month",
        default=1,
        unit="month of the year",
        doc="Calendar month of month 0 (1 January to 12 December): places seasons on the "
        "months (roads closed in a rainy season)",
        source="user",
        low=1,
        high=12,
        kind="int",
    ),
    Param(
        key="scenario.engine",
        default="arrays",
        unit="",
        doc="Household engine: vectorized arrays, or one mesa.Agent per household (reference)",
        source="design card",
        kind="str",
        choices=("arrays", "agents"),
    ),
    Param(
        key="scenario.random_numbers",
        default="household",
        unit="",
        doc="Common random numbers of the household rule: 'household' keys each draw by the "
        "run's seed, the month, its purpose and the household (a household draws the same "
        "numbers in two runs whatever the others do); 'stream' draws them in order from "
        "the run's streams (they shift once two runs differ in who deliberates)",
        source="design (Starsim's slot-based draws; counter-based generators, Salmon et al. 2011)",
        kind="str",
        choices=("household", "stream"),
    ),
)

PARAMS = (
    PARAMS
    + households.PARAMS
    + conflict.PARAMS
    + peacekeeping.PARAMS
    + rules.PARAMS
    + reintegration.PARAMS
    + places.PARAMS
    + SHOCK_PARAMS
    + STATE_PARAMS
    + DEMOGRAPHY_PARAMS
    + LEVER_PARAMS
)

PLACE_KINDS = ("origin", "town", "idp_camp", "refugee_camp", "border")

PLACE_PARAMS: tuple[Param, ...] = (
    Param(
        key="kind",
        default="origin",
        unit="",
        doc="Kind of place",
        source="scenario",
        kind="str",
        choices=PLACE_KINDS,
    ),
    Param(
        key="origin_share",
        default=0.0,
        unit="share",
        doc="Share of households whose home is here (origins only; normalized)",
        source="scenario",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="capacity",
        default=0,
        unit="households",
        doc="Capacity; 0 means no limit",
        source="scenario",
        low=0,
        high=50_000_000,
        kind="int",
    ),
    Param(
        key="violence",
        default=0.0,
        unit="events per month",
        doc="Baseline civilian deaths per month at conflict level 1",
        source=peacekeeping.HULTMAN,
        low=0.0,
        high=10_000.0,
    ),
    Param(
        key="services",
        default=0.5,
        unit="index 0-1",
        doc="Health, education, water and shelter",
        source="scenario",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="livelihood",
        default=0.5,
        unit="index 0-1",
        doc="Jobs, land and markets",
        source="scenario",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="cohesion",
        default=0.5,
        unit="index 0-1",
        doc="Social cohesion and acceptance of newcomers/returnees",
        source="scenario",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="housing_damage",
        default=0.0,
        unit="share",
        doc="Share of homes destroyed at month 0",
        source="scenario",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="housing_occupied",
        default=0.0,
        unit="share",
        doc="Share of homes of absent households occupied by others at month 0",
        source="scenario",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="abroad",
        default=False,
        unit="",
        doc="Across an international border (default: refugee camps)",
        source="scenario",
        kind="bool",
    ),
    Param(
        key="residents",
        default=0.0,
        unit="households",
        doc="Households of the host community living there, not simulated (0: host fatigue "
        "not modelled at the place)",
        source="scenario (census or IOM DTM host-community figures)",
        low=0.0,
        high=1e9,
    ),
    Param(
        key="pushback",
        default=[],
        unit="[month, share]",
        doc="Share of the households arriving at the place in a month who are sent back to "
        "where they came from (step schedule; empty: none)",
        source="scenario (UNHCR and the Council of Europe reported pushbacks at the "
        "Lithuania-Belarus border from August 2021)",
        low=0.0,
        high=1.0,
        kind="schedule",
    ),
    Param(
        key="open",
        default=[],
        unit="[month, 0 closed | 1 open]",
        doc="Whether households can enter the place, by month (step schedule; before the "
        "first entry and when empty: open); those inside may still leave",
        source="scenario (Flee closures.csv, Suleimenova, Bell and Groen 2017: location, "
        "link and border closures by date)",
        low=0.0,
        high=1.0,
        kind="gate",
    ),
    Param(
        key="x",
        default=0.5,
        unit="map units",
        doc="Map position (for plots and the server)",
        source="scenario",
        low=-1e6,
        high=1e6,
    ),
    Param(
        key="y",
        default=0.5,
        unit="map units",
        doc="Map position (for plots and the server)",
        source="scenario",
        low=-1e6,
        high=1e6,
    ),
)

ROUTE_PARAMS: tuple[Param, ...] = (
    Param(key="from", default="", unit="", doc="Place at one end", source="scenario", kind="str"),
    Param(
        key="to", default="", unit="", doc="Place at the other end", source="scenario", kind="str"
    ),
    Param(
        key="km",
        default=100.0,
        unit="km",
        doc="Road distance",
        source="scenario",
        low=0.1,
        high=100_000.0,
    ),
    Param(
        key="terrain",
        default=1.0,
        unit="x good-road cost",
        doc="Cost of hauling a tonne over a km of this road, as a multiple of a good road "
        "(dirt track 2-3, swamp or mountain track more)",
        source="assumption (World Bank road costs: vehicle operating costs on unpaved and "
        "poor roads are two to three times those on paved roads)",
        low=1.0,
        high=20.0,
    ),
    Param(
        key="open",
        default=[],
        unit="[month, 0 closed | 1 open]",
        doc="Whether the road can be travelled (both ways), by month (step schedule; before the "
        "first entry and when empty: open)",
        source="scenario (Flee closures.csv, Suleimenova, Bell and Groen 2017: location, "
        "link and border closures by date)",
        low=0.0,
        high=1.0,
        kind="gate",
    ),
    Param(
        key="closed_months",
        default=[],
        unit="months of the year (1-12)",
        doc="Months of every year the road cannot be travelled or supplied (a rainy season); "
        "with scenario.start_month",
        source="scenario (e.g. eastern DRC's rains, September-November and March-May, cut "
        "dirt roads; OCHA access maps)",
        low=1,
        high=12,
        kind="months",
    ),
)

BY_KEY: dict[str, Param] = {p.key: p for p in PARAMS}

#: Parameter sections that are policy levers (the mission, each lever, the budget); the
#: experiment runner treats their keys as levers and every other key as an uncertainty.
LEVER_SECTIONS: tuple[str, ...] = ("peacekeeping", *(c.key for c in LEVERS), "budget")
PLACE_BY_KEY: dict[str, Param] = {p.key: p for p in PLACE_PARAMS}
ROUTE_BY_KEY: dict[str, Param] = {p.key: p for p in ROUTE_PARAMS}
