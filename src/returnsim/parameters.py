"""Every scenario parameter: name, unit, default, plausible range and source.

The registry is the single place where a parameter is declared. Scenario
validation, ``returnsim describe``, docs/ODD.md and the sensitivity ranges of
the experiment runner all read it. Sources point to ``EVIDENCE.md`` entries;
"assumption" marks a value chosen for plausibility, to be explored over its
range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Param:
    """One scenario parameter."""

    key: str
    default: Any
    unit: str
    doc: str
    source: str
    low: float | None = None
    high: float | None = None
    kind: str = "float"  # float | int | str | bool | schedule
    choices: tuple[str, ...] = ()

    @property
    def allowed(self) -> str:
        """Human-readable statement of the allowed values."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "schedule":
            return "a list of [month, value] pairs with months ascending"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "str":
            return "a string"
        what = "an integer" if self.kind == "int" else "a number"
        return f"{what} from {_fmt(self.low)} to {_fmt(self.high)}"


def _fmt(x: float | None) -> str:
    if x is None:
        return "any"
    return f"{x:g}" if isinstance(x, float) else f"{x:,}"


HULTMAN = "Hultman, Kathman & Shannon 2013 (EVIDENCE.md: peacekeeping, violence)"
BEAMAN = "Beaman et al. 2021 (EVIDENCE.md: return and conditions)"
ALRABABAH = "Alrababah et al. 2023: safety works as a threshold (EVIDENCE.md)"

PARAMS: tuple[Param, ...] = (
    # --- scenario -------------------------------------------------------
    Param("scenario.name", "unnamed", "", "Scenario name", "user", kind="str"),
    Param("scenario.description", "", "", "What the scenario represents", "user", kind="str"),
    Param("scenario.months", 120, "months", "Length of the run", "user", 1, 1200, "int"),
    Param("scenario.seed", 42, "", "Seed of the run's SeedSequence", "user", 0, 2**63 - 1, "int"),
    Param(
        "scenario.start_year",
        2000,
        "year",
        "Calendar year of month 0 (labels only)",
        "user",
        1900,
        2100,
        "int",
    ),
    Param(
        "scenario.engine",
        "arrays",
        "",
        "Household engine: vectorized arrays, or one mesa.Agent per household (reference)",
        "design card",
        kind="str",
        choices=("arrays", "agents"),
    ),
    # --- households -----------------------------------------------------
    Param(
        "households.count",
        20_000,
        "households",
        "Number of household agents",
        "user",
        1,
        50_000_000,
        "int",
    ),
    Param(
        "households.mean_size",
        5.0,
        "persons",
        "Mean household size (1 + Poisson)",
        "UN DESA Household Size database: about 5 in conflict-affected sub-Saharan Africa",
        1.0,
        12.0,
    ),
    Param(
        "households.female_head_share",
        0.3,
        "share",
        "Share of households headed by a woman",
        "UNHCR/IOM displacement profiles: commonly 25-40% among displaced",
        0.0,
        1.0,
    ),
    Param(
        "households.older_member_share",
        0.2,
        "share",
        "Share of households with a member aged 60+",
        "assumption (DHS-type profiles)",
        0.0,
        1.0,
    ),
    Param(
        "households.disability_share",
        0.25,
        "share",
        "Share of households with a member with a disability",
        "WHO World Report on Disability 2011: 15% of people; per household higher",
        0.0,
        1.0,
    ),
    Param(
        "households.protection_risk_share",
        0.05,
        "share",
        "Share of households with a member at specific protection risk "
        "(e.g. for gender identity or sexual orientation, unaccompanied children)",
        "assumption",
        0.0,
        1.0,
    ),
    Param(
        "households.assets_median",
        150.0,
        "USD",
        "Median liquid assets per household (lognormal)",
        "assumption",
        0.0,
        1e6,
    ),
    Param(
        "households.initial_idp_share",
        0.0,
        "share",
        "Share of households internally displaced at month 0",
        "scenario",
        0.0,
        1.0,
    ),
    Param(
        "households.initial_refugee_share",
        0.0,
        "share",
        "Share of households refugees abroad at month 0",
        "scenario",
        0.0,
        1.0,
    ),
    # --- conflict -------------------------------------------------------
    Param(
        "conflict.intensity",
        1.0,
        "x default",
        "Multiplier on every place's baseline violence: 0 is peace, 1 the scenario's level",
        "scenario",
        0.0,
        10.0,
    ),
    Param(
        "conflict.schedule",
        [[0, 1.0]],
        "[month, level]",
        "Conflict level by month (piecewise constant): peace deals, ceasefires, relapses",
        "scenario",
        0.0,
        10.0,
        "schedule",
    ),
    Param(
        "conflict.self_excitation",
        0.2,
        "events per past event",
        "Hawkes-type excitation: each event raises next month's rate by this many events "
        "(times the memory decay)",
        "self-exciting conflict event models (Lewis et al. 2012; Zammit-Mangion et al. 2012)",
        0.0,
        0.9,
    ),
    Param(
        "conflict.memory",
        0.5,
        "per month",
        "Share of excitation carried to the next month",
        "assumption",
        0.0,
        0.95,
    ),
    Param(
        "conflict.security_scale",
        15.0,
        "events per month",
        "Violence at which a place's security index falls to 0.5",
        "assumption calibrated so ~20 deaths/month reads as insecure",
        0.5,
        50.0,
    ),
    Param(
        "conflict.perception_memory",
        0.5,
        "per month",
        "Weight of last month's perceived violence in this month's (smoothing)",
        "assumption",
        0.0,
        0.95,
    ),
    Param(
        "conflict.recurrence_monthly",
        0.004,
        "per place-month",
        "Chance that a place at peace (level < 0.5) has a violent flare-up",
        "Collier, Hoeffler & Soderbom 2008: ~40% of post-conflict countries relapse "
        "within a decade",
        0.0,
        0.1,
    ),
    Param(
        "conflict.flare_events",
        20.0,
        "events",
        "Violent events added to a place's excitation by a flare-up",
        "assumption",
        0.0,
        500.0,
    ),
    Param(
        "conflict.destruction_scale",
        1500.0,
        "events",
        "Violence that destroys 63% of the empty homes of a place in a month",
        "assumption",
        1.0,
        10_000.0,
    ),
    # --- peacekeeping ---------------------------------------------------
    Param(
        "peacekeeping.troops",
        0,
        "personnel",
        "Authorised troop strength",
        "scenario",
        0,
        200_000,
        "int",
    ),
    Param(
        "peacekeeping.police",
        0,
        "personnel",
        "Authorised UN police strength",
        "scenario",
        0,
        50_000,
        "int",
    ),
    Param(
        "peacekeeping.observers",
        0,
        "personnel",
        "Military observers (no effect on violence, per Hultman et al.)",
        HULTMAN,
        0,
        10_000,
        "int",
    ),
    Param(
        "peacekeeping.strategy",
        "static",
        "",
        "Deployment: static (even across origin areas), hotspot (where violence is), "
        "return_areas (where returnees are and are expected)",
        "design card",
        kind="str",
        choices=("static", "hotspot", "return_areas"),
    ),
    Param(
        "peacekeeping.deploy_month",
        0,
        "month",
        "Month the force starts deploying",
        "scenario",
        0,
        1200,
        "int",
    ),
    Param(
        "peacekeeping.ceiling",
        [],
        "[month, personnel]",
        "Mandate ceiling on uniformed personnel by month (linear between points; "
        "drawdown); empty means no ceiling",
        "scenario",
        0,
        200_000,
        "schedule",
    ),
    Param(
        "peacekeeping.redeploy_every",
        3,
        "months",
        "How often units are redeployed",
        "assumption",
        1,
        120,
        "int",
    ),
    Param(
        "peacekeeping.battalion_size",
        850,
        "troops",
        "Troops per infantry battalion unit",
        "UN DPO: infantry battalions of about 850",
        50,
        5000,
        "int",
    ),
    Param(
        "peacekeeping.police_unit_size",
        140,
        "police",
        "Officers per formed police unit",
        "UN DPO: formed police units of about 140",
        10,
        1000,
        "int",
    ),
    Param(
        "peacekeeping.observer_team_size",
        10,
        "observers",
        "Observers per team",
        "assumption",
        1,
        100,
        "int",
    ),
    Param(
        "peacekeeping.troop_suppression",
        0.98,
        "share",
        "Largest share of violence troops can suppress where deployed",
        HULTMAN + ": ~100 deaths/month fall below 2 with ~8,000 troops",
        0.0,
        1.0,
    ),
    Param(
        "peacekeeping.troop_scale",
        1500.0,
        "troops per place",
        "Troops at a place that deliver 63% of the largest suppression (diminishing returns)",
        HULTMAN + "; 2014: ~10,000 troops cut battle deaths ~70%",
        100.0,
        20_000.0,
    ),
    Param(
        "peacekeeping.police_suppression",
        0.9,
        "share",
        "Largest share of violence against civilians police can suppress",
        HULTMAN,
        0.0,
        1.0,
    ),
    Param(
        "peacekeeping.police_scale",
        60.0,
        "police per place",
        "Police at a place that deliver 63% of their largest suppression",
        HULTMAN + ": ~500 UN police bring civilian deaths near 0",
        5.0,
        2000.0,
    ),
    Param(
        "peacekeeping.recurrence_reduction",
        0.6,
        "share",
        "Cut in flare-up risk at a place with full peacekeeping presence",
        "Fortna 2008: peacekeeping cuts the risk of war recurring by 50-75%",
        0.0,
        1.0,
    ),
    Param(
        "peacekeeping.presence_weight",
        0.5,
        "utils",
        "Value households place on full peacekeeping presence at a place",
        "assumption",
        0.0,
        3.0,
    ),
    # --- decision rule --------------------------------------------------
    Param(
        "decision.review_rate",
        0.2,
        "per month",
        "Chance a household not under threat reconsiders its location this month",
        "assumption",
        0.01,
        1.0,
    ),
    Param(
        "decision.safety_threshold",
        0.4,
        "security index",
        "Mean security a household needs to stay, or to consider returning",
        ALRABABAH,
        0.1,
        0.9,
    ),
    Param(
        "decision.safety_threshold_sd",
        0.15,
        "security index",
        "Spread of the safety threshold among households",
        "assumption",
        0.0,
        0.3,
    ),
    Param(
        "decision.vulnerable_threshold_shift",
        0.1,
        "security index",
        "Extra safety a household with a vulnerable member needs",
        "assumption",
        0.0,
        0.3,
    ),
    Param(
        "decision.w_security",
        3.0,
        "utils per index unit",
        "Weight of security in the value of a place",
        BEAMAN + ": +1 SD security ~ +6% returns",
        0.0,
        10.0,
    ),
    Param(
        "decision.w_services",
        1.9,
        "utils per index unit",
        "Weight of services (health, education, water, shelter)",
        BEAMAN + ": +1 SD services ~ +3.8% returns (0.63 x security)",
        0.0,
        10.0,
    ),
    Param(
        "decision.w_livelihood",
        1.5,
        "utils per index unit",
        "Weight of livelihood (jobs, land, markets)",
        "assumption",
        0.0,
        10.0,
    ),
    Param(
        "decision.w_cohesion",
        0.5,
        "utils per index unit",
        "Weight of social cohesion and acceptance",
        "assumption",
        0.0,
        5.0,
    ),
    Param(
        "decision.danger_penalty",
        3.0,
        "utils",
        "Disutility of staying where security is below one's threshold, times the "
        "shortfall (1 - security / threshold)",
        ALRABABAH,
        0.0,
        10.0,
    ),
    Param(
        "decision.displacement_hardship",
        1.5,
        "utils",
        "Disutility of life in displacement beyond the place's conditions: no land or "
        "home of one's own, rent, dependency",
        "assumption (IDMC/JIPS profiles find the displaced worse off than their hosts)",
        0.0,
        5.0,
    ),
    Param("decision.move_cost", 1.0, "utils", "Fixed cost of any move", "assumption", 0.0, 5.0),
    Param(
        "decision.distance_cost",
        0.5,
        "utils per 100 km",
        "Cost of distance travelled",
        "assumption",
        0.0,
        5.0,
    ),
    Param(
        "decision.crowding_cost",
        2.0,
        "utils per capacity",
        "Disutility of a place per unit of occupancy beyond its capacity",
        "assumption",
        0.0,
        10.0,
    ),
    Param(
        "decision.attachment",
        3.0,
        "utils",
        "Attachment to home when displacement begins (hope to return)",
        "EVIDENCE.md: ~75% of Syrian refugees hope to return one day",
        0.0,
        10.0,
    ),
    Param(
        "decision.attachment_halflife",
        36.0,
        "months",
        "Months of displacement that halve attachment (return intent declines)",
        "IDMC/JIPS: after 5+ years ~69.5% of IDPs intend to stay",
        6.0,
        240.0,
    ),
    Param(
        "decision.settle_weight",
        5.0,
        "utils",
        "Reluctance to give up return and settle where one is; fades with attachment",
        "assumption (EVIDENCE.md fact 9: the longer displaced, the more intend to stay)",
        0.0,
        10.0,
    ),
    Param(
        "decision.housing_penalty",
        2.0,
        "utils",
        "Disutility of returning to a destroyed or occupied home",
        "EVIDENCE.md: destroyed or occupied property strongly lowers return",
        0.0,
        10.0,
    ),
    Param(
        "decision.return_elsewhere_share",
        0.5,
        "share",
        "Chance that a returnee with a destroyed or occupied home settles in a nearby "
        "place instead",
        "EVIDENCE.md fact 12: some return to places other than origin",
        0.0,
        1.0,
    ),
    Param(
        "decision.info_rate",
        0.1,
        "per month",
        "Monthly rate at which displaced households' beliefs about home catch up with "
        "conditions there (information lag)",
        "assumption",
        0.0,
        1.0,
    ),
    Param(
        "decision.ties_info_rate",
        0.5,
        "per month",
        "Extra learning per unit of social ties times the share of their origin already back home",
        "assumption (network learning of conditions at origin)",
        0.0,
        2.0,
    ),
    Param(
        "decision.trip_cost_per_person",
        30.0,
        "USD",
        "Cost of a return journey per person; capability = assets / (assets + cost)",
        "assumption (UNHCR transport grants of similar size)",
        0.0,
        1000.0,
    ),
    Param(
        "decision.trapped_share",
        0.1,
        "share",
        "Chance that a household that decides to flee cannot leave (doubled with an older "
        "or disabled member)",
        "assumption",
        0.0,
        1.0,
    ),
    Param(
        "decision.trauma_rate",
        0.05,
        "per month",
        "Rise in trauma for each month under threat",
        "assumption",
        0.0,
        1.0,
    ),
    Param(
        "decision.trauma_recovery",
        0.02,
        "per month",
        "Monthly natural recovery of trauma",
        "assumption",
        0.0,
        1.0,
    ),
    Param(
        "decision.asset_depletion",
        0.01,
        "per month",
        "Share of assets a displaced household spends each month",
        "assumption",
        0.0,
        0.5,
    ),
    # --- place dynamics -------------------------------------------------
    Param(
        "dynamics.recovery_rate",
        0.05,
        "per month",
        "Rate at which services and livelihood move toward their target",
        "assumption",
        0.0,
        1.0,
    ),
    Param(
        "dynamics.insecurity_damage",
        0.6,
        "share",
        "Share of services and livelihood lost at zero security",
        "assumption",
        0.0,
        1.0,
    ),
)

PLACE_KINDS = ("origin", "town", "idp_camp", "refugee_camp", "border")

PLACE_PARAMS: tuple[Param, ...] = (
    Param("kind", "origin", "", "Kind of place", "scenario", kind="str", choices=PLACE_KINDS),
    Param(
        "origin_share",
        0.0,
        "share",
        "Share of households whose home is here (origins only; normalized)",
        "scenario",
        0.0,
        1.0,
    ),
    Param(
        "capacity", 0, "households", "Capacity; 0 means no limit", "scenario", 0, 50_000_000, "int"
    ),
    Param(
        "violence",
        0.0,
        "events per month",
        "Baseline civilian deaths per month at conflict level 1",
        HULTMAN,
        0.0,
        10_000.0,
    ),
    Param(
        "services", 0.5, "index 0-1", "Health, education, water and shelter", "scenario", 0.0, 1.0
    ),
    Param("livelihood", 0.5, "index 0-1", "Jobs, land and markets", "scenario", 0.0, 1.0),
    Param(
        "cohesion",
        0.5,
        "index 0-1",
        "Social cohesion and acceptance of newcomers/returnees",
        "scenario",
        0.0,
        1.0,
    ),
    Param(
        "housing_damage", 0.0, "share", "Share of homes destroyed at month 0", "scenario", 0.0, 1.0
    ),
    Param(
        "housing_occupied",
        0.0,
        "share",
        "Share of homes of absent households occupied by others at month 0",
        "scenario",
        0.0,
        1.0,
    ),
    Param(
        "abroad",
        False,
        "",
        "Across an international border (default: refugee camps)",
        "scenario",
        kind="bool",
    ),
    Param("x", 0.5, "map units", "Map position (for plots and the server)", "scenario", -1e6, 1e6),
    Param("y", 0.5, "map units", "Map position (for plots and the server)", "scenario", -1e6, 1e6),
)

ROUTE_PARAMS: tuple[Param, ...] = (
    Param("from", "", "", "Place at one end", "scenario", kind="str"),
    Param("to", "", "", "Place at the other end", "scenario", kind="str"),
    Param("km", 100.0, "km", "Road distance", "scenario", 0.1, 100_000.0),
)

BY_KEY: dict[str, Param] = {p.key: p for p in PARAMS}
PLACE_BY_KEY: dict[str, Param] = {p.key: p for p in PLACE_PARAMS}
ROUTE_BY_KEY: dict[str, Param] = {p.key: p for p in ROUTE_PARAMS}
