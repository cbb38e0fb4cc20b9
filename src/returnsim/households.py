"""Household state: one row per household in arrays, never deleted (as in LASER).

Status, housing and the options of the monthly choice as Enums; the
``Population`` arrays; what a return package offers (``PackageTerms``); the
place values the rule reads each month (``Context``); the month's flows; and
the counts kept up to date as households move (``Tally``). The rule itself
(every formula of the month) is ``rules.py``; ``engine.py`` applies it to all
households at once and ``reference.py`` to one ``Household`` agent at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from enum import IntEnum
from typing import Any

import numpy as np

from returnsim.param import Param, Params
from returnsim.places import PlaceKind, Places

#: The ``households.*`` parameters, declared beside the code that reads them (the registry,
#: ``returnsim.parameters``, gathers every module's).
PARAMS: tuple[Param, ...] = (
    Param(
        key="households.count",
        default=20_000,
        unit="households",
        doc="Number of household agents",
        source="user",
        low=1,
        high=50_000_000,
        kind="int",
    ),
    Param(
        key="households.population",
        default=0.0,
        unit="persons",
        doc="Real population the simulated households stand for, persons (0: the simulated "
        "households are the whole population). Each simulated household then stands for "
        "population / (count x mean_size) real ones (``weight``): counts in every output "
        "are at real scale, and capacities, quotas, caseloads and host communities are real "
        "numbers that the model scales down",
        source="scenario (census, UNHCR and IOM DTM figures of the displacement setting)",
        low=0.0,
        high=1e10,
    ),
    Param(
        key="households.mean_size",
        default=5.0,
        unit="persons",
        doc="Mean household size (1 + Poisson)",
        source="UN DESA Household Size database: about 5 in conflict-affected sub-Saharan Africa",
        low=1.0,
        high=12.0,
    ),
    Param(
        key="households.female_head_share",
        default=0.3,
        unit="share",
        doc="Share of households headed by a woman",
        source="UNHCR/IOM displacement profiles: commonly 25-40% among displaced",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="households.older_member_share",
        default=0.2,
        unit="share",
        doc="Chance that a household whose head is under 60 has another adult aged 60+ "
        "(with heads aged 60+, about a fifth of households have an older member)",
        source="assumption (DHS-type profiles)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="households.disability_share",
        default=0.25,
        unit="share",
        doc="Share of households with a member with a disability",
        source="WHO World Report on Disability 2011: 15% of people; per household higher",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="households.protection_risk_share",
        default=0.05,
        unit="share",
        doc="Share of households with a member at specific protection risk "
        "(e.g. for gender identity or sexual orientation, unaccompanied children)",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="households.assets_median",
        default=150.0,
        unit="USD",
        doc="Median liquid assets per household (lognormal)",
        source="assumption",
        low=0.0,
        high=1e6,
    ),
    Param(
        key="households.assets_spread",
        default=0.8,
        unit="log USD",
        doc="Standard deviation of log assets (the lognormal's sigma)",
        source="assumption (wealth in poor rural populations is roughly lognormal)",
        low=0.0,
        high=2.5,
    ),
    Param(
        key="households.head_age_mean",
        default=40.0,
        unit="years",
        doc="Mean age of household heads (normal, clipped to 18-90)",
        source="assumption (DHS surveys: heads of households average about 40-45 years in "
        "sub-Saharan Africa)",
        low=20.0,
        high=70.0,
    ),
    Param(
        key="households.head_age_sd",
        default=12.0,
        unit="years",
        doc="Standard deviation of the age of household heads",
        source="assumption (DHS surveys)",
        low=0.0,
        high=25.0,
    ),
    Param(
        key="households.child_share",
        default=0.55,
        unit="share",
        doc="Chance that a member other than the head is a child (binomial)",
        source="UN DESA World Population Prospects: about half the population of "
        "conflict-affected sub-Saharan countries is under 18",
        low=0.0,
        high=0.9,
    ),
    Param(
        key="households.under5_share",
        default=0.33,
        unit="share",
        doc="Chance that a child member is under 5 (the rest are 5-17)",
        source="UN DESA World Population Prospects 2022: in sub-Saharan Africa about 16% of "
        "people are under 5 and about 48% under 18",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="households.female_member_share",
        default=0.55,
        unit="share",
        doc="Chance that an adult member other than the head is a woman",
        source="UNHCR Global Trends: women and girls are about half of the displaced; adult "
        "women outnumber adult men among displaced household members (men absent, "
        "fighting or migrated); the size is an assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="households.initial_months_max",
        default=12,
        unit="months",
        doc="Those displaced at the start have been away 0 to this many months (uniform)",
        source="assumption",
        low=0,
        high=240,
        kind="int",
    ),
    Param(
        key="households.initial_belief_security",
        default=0.2,
        unit="security index",
        doc="What those displaced at the start believe of security at home (they fled violence)",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="households.host_distance_km",
        default=200.0,
        unit="km",
        doc="Those displaced at the start are placed by weights exp(-distance / this)",
        source="assumption (most displaced people stay near home; UNHCR Global Trends)",
        low=10.0,
        high=5000.0,
    ),
    Param(
        key="households.undocumented_share",
        default=0.2,
        unit="share",
        doc="Share of households lacking civil documentation at month 0",
        source="assumption (NRC: lack of documentation is common among the displaced)",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="households.initial_idp_share",
        default=0.0,
        unit="share",
        doc="Share of households internally displaced at month 0",
        source="scenario",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="households.initial_refugee_share",
        default=0.0,
        unit="share",
        doc="Share of households refugees abroad at month 0",
        source="scenario",
        low=0.0,
        high=1.0,
    ),
)


class Status(IntEnum):
    """Where a household stands with respect to displacement."""

    AT_ORIGIN = 0  #: at home, never displaced
    INTERNALLY_DISPLACED = 1  #: away from home, in the country
    REFUGEE = 2  #: away from home, abroad
    RETURNED = 3  #: back at home after displacement
    SETTLED_ELSEWHERE = 4  #: local integration or relocation away from home
    DISSOLVED = 5  #: every member has died (``demography``); decides and counts no more
    RESETTLED = 6  #: resettled to a third country (``resettlement``); out of the scenario


class Sex(IntEnum):
    FEMALE = 0
    MALE = 1


class AgeBand(IntEnum):
    """Age bands of household members, as humanitarian reporting disaggregates them."""

    UNDER_5 = 0  #: 0-4
    SCHOOL_AGE = 1  #: 5-17
    ADULT = 2  #: 18-59
    OLDER = 3  #: 60+


#: Label of each age band in outputs.
AGE_LABELS = {
    AgeBand.UNDER_5: "0-4",
    AgeBand.SCHOOL_AGE: "5-17",
    AgeBand.ADULT: "18-59",
    AgeBand.OLDER: "60+",
}
#: Columns of ``Population.members``: (sex, age band), band-major.
MEMBER_GROUPS: tuple[tuple[Sex, AgeBand], ...] = tuple((s, b) for b in AgeBand for s in Sex)


def member_column(sex: Sex, band: AgeBand) -> int:
    """Column of ``Population.members`` holding persons of ``sex`` in ``band``."""
    return 2 * int(band) + int(sex)


#: Share of girls among children at birth (sex ratio at birth about 105 boys per 100 girls, WHO).
FEMALE_BIRTH_SHARE = 0.488


class Housing(IntEnum):
    """State of the household's home at its origin."""

    INTACT = 0
    DESTROYED = 1
    OCCUPIED = 2


class Choice(IntEnum):
    """Options of the monthly choice."""

    STAY = 0
    MOVE = 1
    RETURN = 2
    SETTLE = 3


DISPLACED = (Status.INTERNALLY_DISPLACED, Status.REFUGEE)
#: Households no longer in the scenario's places: they decide nothing and count at no place
#: (their ``place`` is the last one they were at).
GONE = (Status.DISSOLVED, Status.RESETTLED)
N_STATUS = len(Status)


@dataclass(slots=True)
class Population:
    """Household state, one array per attribute, one row per household."""

    size: np.ndarray  # uint8, persons
    #: uint8 (households, 8): persons by sex and age band (``MEMBER_GROUPS``), the head
    #: included; members are born, age and die (``demography``)
    members: np.ndarray
    female_head: np.ndarray  # bool
    head_age: np.ndarray  # uint8, years
    older: np.ndarray  # bool, a member aged 60+ (from ``members``)
    disability: np.ndarray  # bool, a member with a disability
    protection_risk: np.ndarray  # bool, a member at specific protection risk
    assets: np.ndarray  # float32, USD
    skills: np.ndarray  # float32, 0-1
    origin: np.ndarray  # int16, home place
    place: np.ndarray  # int16, current place
    status: np.ndarray  # int8, Status
    months_displaced: np.ndarray  # int16, months away in the current or last displacement
    times_displaced: np.ndarray  # uint8
    returned_elsewhere: np.ndarray  # bool
    housing: np.ndarray  # int8, Housing
    trauma: np.ndarray  # float32, 0-1
    trust: np.ndarray  # float32, 0-1, trust in institutions
    ties: np.ndarray  # float32, 0-1, strength of social ties
    threshold: np.ndarray  # float32, security needed to stay or return
    belief_security: np.ndarray  # float32, believed security at home
    belief_conditions: np.ndarray  # float32, believed value of services etc. at home
    documented: np.ndarray  # bool, has civil documentation
    return_month: np.ndarray  # int16, month of the latest return (-1: none)
    separated: np.ndarray  # bool, a member lost in flight and not yet reunited
    #: columns declared by levers (``Lever.columns``: owned by one lever, read by the
    #: rule or the outcomes), by name; read and written as attributes (``pop.loan``)
    declared: dict[str, np.ndarray] = field(default_factory=dict)

    def __getattr__(self, name: str) -> np.ndarray:  # reached only for a declared column
        if name == "declared":
            raise AttributeError(name)
        try:
            return self.declared[name]
        except KeyError:
            raise AttributeError(f"Population has no column {name!r}") from None

    def __setattr__(self, name: str, value: np.ndarray) -> None:
        if name in _CORE or name == "declared":
            object.__setattr__(self, name, value)
        elif name in self.declared:  # e.g. ``pop.loan *= ...``
            self.declared[name] = value
        else:
            raise AttributeError(f"Population has no column {name!r}")

    def declare(self, name: str, dtype: str) -> None:
        """Add a lever's column, zero for every household."""
        if name in self.columns():
            raise ValueError(f"household column {name!r} is declared twice")
        self.declared[name] = np.zeros(self.n, dtype=dtype)

    def columns(self) -> dict[str, np.ndarray]:
        """Every column, core and declared, by name."""
        core = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "declared"}
        return core | self.declared

    @property
    def n(self) -> int:
        return len(self.status)

    @property
    def children(self) -> np.ndarray:
        """Members under 18, per household."""
        return self.members[:, : 2 * AgeBand.ADULT].sum(axis=1, dtype=np.uint8)

    @property
    def school_age(self) -> np.ndarray:
        """Households with a member aged 5-17."""
        return self.has_school_age(slice(None))

    def has_school_age(self, ids: np.ndarray | slice) -> np.ndarray:
        """Households ``ids`` with a member aged 5-17 (its two byte columns read as one)."""
        return self.members.view(np.uint16)[ids, AgeBand.SCHOOL_AGE] > 0

    def has_children(self, ids: np.ndarray | slice) -> np.ndarray:
        """Households ``ids`` with a member under 18 (the four byte columns read as one)."""
        return self.members.view(np.uint32)[ids, 0] > 0

    @property
    def vulnerable(self) -> np.ndarray:
        """A member who is older, disabled or at specific protection risk."""
        return self.older | self.disability | self.protection_risk

    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.columns().values())


_CORE = frozenset(f.name for f in fields(Population))


@dataclass(frozen=True)
class PackageTerms:
    """What a returning household is offered this month (set by the return-package lever)."""

    cash_per_person: float = 0.0
    transport_per_person: float = 0.0
    transport_per_person_km: float = 0.0  # organised transport priced by the road home
    per_person_cost: float = 0.0  # cash + transport + food support
    per_household_cost: float = 0.0  # escort
    shelter_kit: float = 0.0
    utility_per_usd: float = 0.0
    relief: float = 0.0
    food_months: int = 0  # months of post-return food and shelter support
    documents_required: bool = False  # only documented households register for a package
    min_trust: float = 0.0  # trust in institutions needed to register
    funds: float = 0.0
    offered: bool = False
    #: real households one simulated household stands for (its package costs that many)
    weight: float = 1.0
    #: the chance of getting one this month: the month's funds over the expected demand
    #: (at most 1); what the offer is worth in the household's choice is weighted by it
    chance: float = 1.0

    def cost(
        self, size: np.ndarray | int, home_lost: np.ndarray | bool, km: np.ndarray | float = 0.0
    ) -> np.ndarray | float:
        """Cost of one package for a household of ``size`` persons ``km`` by road from home."""
        return (
            (self.per_person_cost + self.transport_per_person_km * km) * size
            + self.per_household_cost
            + self.shelter_kit * home_lost
        )


@dataclass
class PackageTakeUp:
    """The month's take-up of return packages, the one thing the rule writes outside the
    household arrays: ``used`` counts spending as packages go, in household order; once a
    package cannot be paid, ``exhausted`` ends the offer for the month. The lever books it.
    ``credit``: the share of a simulated household's package paid in earlier months (real
    packages bought with what was left when the offer ended), carried from month to month."""

    used: float = 0.0
    exhausted: bool = False
    credit: float = 0.0


@dataclass
class Context:
    """Place-level quantities the decision rule reads this month (shared by both engines);
    it writes only ``takeup``."""

    security: np.ndarray  # per place
    security32: np.ndarray  # the same in float32, for the threat test against thresholds
    appeal: np.ndarray  # value of being at a place, all dimensions
    conditions: np.ndarray  # value of services, livelihood, cohesion, presence (no security)
    education: np.ndarray  # schooling index per place
    nbr: np.ndarray  # (place, k) neighbour ids, -1 padded
    nbr_value: np.ndarray  # (place, k) value of each neighbour after distance cost; -inf pad
    inclusive: np.ndarray  # (place, origin) value of moving on from a place, never home
    dist_km: np.ndarray  # (place, place) shortest road distance
    settle_ok: np.ndarray  # bool per place: local integration possible here
    abroad: np.ndarray  # bool per place
    return_elsewhere_place: np.ndarray  # per origin: nearby place for those who cannot go home
    back_share: np.ndarray  # per origin: share of its ever-displaced now back home
    deprivation: np.ndarray  # per place: shortfall of livelihood and services below need, 0-1
    events: np.ndarray  # violent events this month per place
    month: int = 0
    aid_coverage: np.ndarray | None = None  # per place, 0-1
    asset_protection: float = 0.0  # share of asset depletion avoided under full aid coverage
    trap_factor: np.ndarray | None = None  # per place: multiplier on the chance of being trapped
    info_bonus: float = 0.0  # extra monthly learning rate from information campaigns
    package: PackageTerms = field(default_factory=PackageTerms)  # return package on offer
    takeup: PackageTakeUp = field(default_factory=PackageTakeUp)  # written as packages go
    #: per place: the host community's fatigue (0-1) and what it takes from settling there
    fatigue: np.ndarray | None = None
    settle_penalty: np.ndarray | None = None
    #: per place: a camp closure or an assistance cut holds it this month (None: nowhere)
    pressure: np.ndarray | None = None
    #: per place: appeal and deprivation as they would be without that pressure
    appeal_free: np.ndarray | None = None
    deprivation_free: np.ndarray | None = None


@dataclass
class Flows:
    """Counts of this month's transitions."""

    new_displacements: int = 0
    redisplacements: int = 0
    new_returns: int = 0
    returns_elsewhere: int = 0
    settlements: int = 0
    secondary_moves: int = 0
    #: of these, moves to a place abroad: onward movement across a border (IDPs crossing
    #: it, refugees moving on to another country or camp)
    onward_abroad: int = 0
    intending_return: int = 0
    unable_to_return: int = 0
    trapped: int = 0
    #: new displacements of households short of need but not under threat (drought, want)
    need_displacements: int = 0
    #: households short of need who chose to leave home but could not pay the journey
    unable_to_leave: int = 0
    homes_destroyed: int = 0
    #: returns (home or elsewhere) the household would not have chosen this month without
    #: a camp closure or an assistance cut where it was (``rules.pressure_shift``)
    induced_returns: int = 0
    #: deportations: refugees returned to their home place against their will
    forced_returns: int = 0
    #: households sent back at a place's border to where they came from (``places.*.pushback``)
    pushbacks: int = 0
    #: households whose last member died this month (``demography``)
    dissolutions: int = 0


_M64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _mix64(z: int) -> int:
    """SplitMix64's finalizer: 64 well-mixed bits of ``z`` (the key of a month's draws)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def _fmix32(z: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer, in place on uint32 (wrapping arithmetic): each output bit
    depends on every input bit."""
    z ^= z >> np.uint32(16)
    z *= np.uint32(0x85EBCA6B)
    z ^= z >> np.uint32(13)
    z *= np.uint32(0xC2B2AE35)
    z ^= z >> np.uint32(16)
    return z


class Purpose(IntEnum):
    """What a household's uniform of the month decides (a key of ``Draws``)."""

    REVIEW = 0  # a displaced household reviews its options
    WANT = 1  # one short of need weighs leaving
    CHOICE = 2  # the choice, destination, capability and return elsewhere (four columns)
    HOUSING = 3  # its empty home is destroyed


class Draws:
    """This month's uniforms of the household rule, for households ``ids`` (float32).

    ``household`` mode (common random numbers per household): a draw is a hash of the
    run's seed, the month and its ``Purpose`` (SplitMix64) with the household's row and the
    column (MurmurHash3's finalizer), a counter-based generator, so a household draws the
    same numbers in two runs whatever the other households do, and paired runs stay paired
    as they drift apart. ``stream`` mode draws them in order from the run's ``decisions``
    stream (``housing`` for homes), so one household more deliberating shifts everyone's
    numbers after it.
    """

    def __init__(self, mode: str, seed: int, month: int, streams: dict[str, Any]) -> None:
        self.keyed = mode == "household"
        self.seed, self.month = seed, month
        self.streams = streams

    def __call__(self, purpose: Purpose, ids: np.ndarray, k: int = 1) -> np.ndarray:
        if not self.keyed:
            rng = self.streams["housing" if purpose == Purpose.HOUSING else "decisions"]
            if purpose == Purpose.HOUSING:
                return rng.random(len(ids))
            return rng.random((len(ids), k) if k > 1 else len(ids), dtype=np.float32)
        key = _mix64((self.seed * _GOLDEN + self.month * 0xD1B54A32D192ED03 + purpose) & _M64)
        z = np.array(ids, dtype=np.uint32)  # a copy: hashed in place
        if k > 1:
            z = z[:, None] * np.uint32(k) + np.arange(k, dtype=np.uint32)
        z *= np.uint32(0x9E3779B1)
        z += np.uint32(key & 0xFFFFFFFF)
        u = (_fmix32(z) >> np.uint32(8)).astype(np.float32)
        u *= np.float32(2.0**-24)
        return u


def weight(p: Params) -> float:
    """Real households one simulated household stands for: ``households.population`` /
    (``households.count`` x ``households.mean_size``); the int 1 without a population, so
    that counts stay whole numbers."""
    real = p.households.population
    if real <= 0:
        return 1
    w = float(real) / (p.households.count * p.households.mean_size)
    return 1 if w == 1 else w


def init_population(
    p: Params,
    places: Places,
    rng: np.random.Generator,
    *,
    columns: Iterable[tuple[str, str]] = (),
) -> Population:
    """Draw the households of a scenario (population stream); add the levers' ``columns``
    (name and dtype each; a name given twice is an error). ``p``: the scenario's parameters."""
    n = p.households.count
    origins = places.origins
    share = places.origin_share[origins] / places.origin_share[origins].sum()
    origin = rng.choice(origins, size=n, p=share).astype(np.int16)
    size = np.clip(1 + rng.poisson(p.households.mean_size - 1, n), 1, 30).astype(np.uint8)
    female_head = rng.random(n) < p.households.female_head_share
    head_age = np.clip(
        rng.normal(p.households.head_age_mean, p.households.head_age_sd, n), 18, 90
    ).astype(np.uint8)
    members = draw_members(p, rng, size=size, female_head=female_head, head_age=head_age)
    older = members[:, 2 * AgeBand.OLDER :].any(axis=1)
    disability = rng.random(n) < p.households.disability_share
    protection_risk = rng.random(n) < p.households.protection_risk_share
    assets = (
        p.households.assets_median * rng.lognormal(0.0, p.households.assets_spread, n)
    ).astype(np.float32)
    skills = rng.beta(2, 2, n).astype(np.float32)
    trust = rng.beta(2, 2, n).astype(np.float32)
    ties = rng.beta(2, 2, n).astype(np.float32)
    vulnerable = older | disability | protection_risk
    threshold = np.clip(
        rng.normal(p.decision.safety_threshold, p.decision.safety_threshold_sd, n)
        + p.decision.vulnerable_threshold_shift * vulnerable,
        0.05,
        0.95,
    ).astype(np.float32)
    housing = np.where(
        rng.random(n) < places.initial_damage[origin], Housing.DESTROYED, Housing.INTACT
    ).astype(np.int8)

    place = origin.copy()
    status = np.full(n, Status.AT_ORIGIN, dtype=np.int8)
    u = rng.random(n)
    idp = u < p.households.initial_idp_share
    ref = ~idp & (u < p.households.initial_idp_share + p.households.initial_refugee_share)
    for mask, want_abroad, st in (
        (idp, False, Status.INTERNALLY_DISPLACED),
        (ref, True, Status.REFUGEE),
    ):
        hosts = np.flatnonzero((places.abroad == want_abroad) & (places.kind != PlaceKind.ORIGIN))
        if mask.any() and len(hosts) == 0:
            mask[:] = False  # nowhere to be displaced to in this scenario
            continue
        for o in origins:
            sel = np.flatnonzero(mask & (origin == o))
            if len(sel) == 0:
                continue
            w = np.exp(
                -np.nan_to_num(places.dist_km[o, hosts], posinf=1e9) / p.households.host_distance_km
            )
            w = w / w.sum() if w.sum() > 0 else np.full(len(hosts), 1 / len(hosts))
            place[sel] = rng.choice(hosts, size=len(sel), p=w)
        status[mask] = st
    displaced = idp | ref
    months = np.where(displaced, rng.integers(0, p.households.initial_months_max + 1, n), 0).astype(
        np.int16
    )
    occupied = (
        displaced & (housing == Housing.INTACT) & (rng.random(n) < places.initial_occupied[origin])
    )
    housing[occupied] = Housing.OCCUPIED
    documented = rng.random(n) >= p.households.undocumented_share
    pop = Population(
        size=size,
        members=members,
        female_head=female_head,
        head_age=head_age,
        older=older,
        disability=disability,
        protection_risk=protection_risk,
        assets=assets,
        skills=skills,
        origin=origin,
        place=place.astype(np.int16),
        status=status,
        months_displaced=months,
        times_displaced=displaced.astype(np.uint8),
        returned_elsewhere=np.zeros(n, dtype=bool),
        housing=housing,
        trauma=np.zeros(n, dtype=np.float32),
        trust=trust,
        ties=ties,
        threshold=threshold,
        # Those displaced at the start fled violence: they believe home unsafe.
        belief_security=np.where(displaced, p.households.initial_belief_security, 1.0).astype(
            np.float32
        ),
        belief_conditions=np.zeros(n, dtype=np.float32),
        documented=documented,
        return_month=np.full(n, -1, dtype=np.int16),
        separated=np.zeros(n, dtype=bool),
    )
    for name, dtype in columns:
        pop.declare(name, dtype)
    return pop


def draw_members(
    p: Params,
    rng: np.random.Generator,
    *,
    size: np.ndarray,
    female_head: np.ndarray,
    head_age: np.ndarray,
) -> np.ndarray:
    """Members by sex and age band (``MEMBER_GROUPS``), the head included.

    Of the ``size - 1`` others, children are binomial(``child_share``), under 5
    binomial(``under5_share``) of them, girls with ``FEMALE_BIRTH_SHARE``; the
    other adults are women with ``female_member_share``. A household has a
    member aged 60+ when its head is 60+ or, with ``older_member_share``, one of
    its other adults is.
    """
    h = p.households
    n = len(size)
    u8 = np.uint8
    others = size - u8(1)
    kids = rng.binomial(others, h.child_share).astype(u8)
    under5 = rng.binomial(kids, h.under5_share).astype(u8)
    girls_u5 = rng.binomial(under5, FEMALE_BIRTH_SHARE).astype(u8)
    girls_school = rng.binomial(kids - under5, FEMALE_BIRTH_SHARE).astype(u8)
    adults = others - kids
    older_other = (rng.random(n) < h.older_member_share) & (adults > 0) & (head_age < 60)
    women = rng.binomial(adults, h.female_member_share).astype(u8)
    older_woman = older_other & (rng.random(n) < h.female_member_share) & (women > 0)
    older_man = older_other & ~older_woman & (adults > women)
    members = np.zeros((n, len(MEMBER_GROUPS)), dtype=u8)
    for sex, band, count in (
        (Sex.FEMALE, AgeBand.UNDER_5, girls_u5),
        (Sex.MALE, AgeBand.UNDER_5, under5 - girls_u5),
        (Sex.FEMALE, AgeBand.SCHOOL_AGE, girls_school),
        (Sex.MALE, AgeBand.SCHOOL_AGE, kids - under5 - girls_school),
        # The other adults: one of them is older where drawn so, of the sex drawn for them.
        (Sex.FEMALE, AgeBand.ADULT, women - older_woman),
        (Sex.MALE, AgeBand.ADULT, adults - women - older_man),
        (Sex.FEMALE, AgeBand.OLDER, older_woman),
        (Sex.MALE, AgeBand.OLDER, older_man),
    ):
        members[:, member_column(sex, band)] += count.astype(u8)
    # The head.
    band = np.where(head_age >= 60, u8(AgeBand.OLDER), u8(AgeBand.ADULT))
    members[np.arange(n), 2 * band.astype(np.intp) + ~female_head] += u8(1)  # MALE is 1
    return members


#: Groups of persons reported by status each month (``Tally.persons_by_group``): every
#: (sex, age band) of ``MEMBER_GROUPS``, then all members of households that are
#: female-headed, have a member with a disability, or one at specific protection risk.
HOUSEHOLD_GROUPS = ("female_headed", "with_disability", "protection_risk")
#: Labels of the person groups (``person_weights`` columns), in order.
PERSON_GROUPS: tuple[str, ...] = (
    *(f"{sex.name.lower()}_{AGE_LABELS[band]}" for sex, band in MEMBER_GROUPS),
    *(f"persons_{g}" for g in HOUSEHOLD_GROUPS),
)


def person_columns(pop: Population, ids: np.ndarray | slice) -> Iterable[np.ndarray]:
    """Persons of each reported group in households ``ids``, one column at a time (so a
    whole population never needs a households x groups matrix)."""
    for j in range(len(MEMBER_GROUPS)):
        yield pop.members[ids, j]
    size = pop.size[ids]
    for flag in (pop.female_head, pop.disability, pop.protection_risk):
        yield np.where(flag[ids], size, 0)


def persons_by(
    labels: np.ndarray, pop: Population, ids: np.ndarray | slice, n_labels: int
) -> np.ndarray:
    """Persons of each reported group (columns) in households ``ids`` by ``labels``
    (rows: e.g. status), float64."""
    return np.column_stack(
        [np.bincount(labels, weights=c, minlength=n_labels) for c in person_columns(pop, ids)]
    )


class Tally:
    """Counts kept up to date as households move (no full-array recount per month)."""

    def __init__(self, pop: Population, n_places: int) -> None:
        self.n_places = n_places
        self.recount(pop)

    def recount(self, pop: Population) -> None:
        """Recompute every count from the arrays."""
        p = self.n_places
        self.status = np.bincount(pop.status, minlength=N_STATUS).astype(np.int64)
        here = slice(None) if not self.gone else ~np.isin(pop.status, GONE)
        #: households and persons at each place (those gone no longer count)
        self.households = np.bincount(pop.place[here], minlength=p).astype(np.int64)
        self.persons = np.bincount(pop.place[here], weights=pop.size[here], minlength=p)
        back = pop.status == Status.RETURNED
        self.returned_by_origin = np.bincount(pop.origin[back], minlength=p).astype(np.int64)
        away = np.isin(pop.status, DISPLACED)
        self.displaced_by_origin = np.bincount(pop.origin[away], minlength=p).astype(np.int64)
        ever = pop.times_displaced > 0
        self.ever_displaced_by_origin = np.bincount(pop.origin[ever], minlength=p).astype(np.int64)
        #: persons by status (rows) and reported group (columns: ``MEMBER_GROUPS``, then
        #: ``HOUSEHOLD_GROUPS``)
        self.persons_by_group = persons_by(pop.status, pop, slice(None), N_STATUS)

    @property
    def gone(self) -> int:
        """Households no longer in the scenario (``GONE``)."""
        return int(self.status[list(GONE)].sum())

    def depart(self, pop: Population, ids: np.ndarray, status: Status) -> None:
        """Households ``ids`` leave the scenario's places with ``status`` (one of ``GONE``)."""
        if len(ids) == 0:
            return
        place = pop.place[ids]
        self.move(pop, ids, place, np.full(len(ids), status, np.int8))
        self.households -= np.bincount(place, minlength=self.n_places)
        self.persons -= np.bincount(place, weights=pop.size[ids], minlength=self.n_places)

    def move(
        self, pop: Population, ids: np.ndarray, new_place: np.ndarray, new_status: np.ndarray
    ) -> None:
        """Relocate households ``ids`` and keep the counts right."""
        if len(ids) == 0:
            return
        p = self.n_places
        old_place, old_status = pop.place[ids], pop.status[ids]
        size, origin = pop.size[ids], pop.origin[ids]
        self.households += np.bincount(new_place, minlength=p) - np.bincount(old_place, minlength=p)
        self.persons += np.bincount(new_place, weights=size, minlength=p) - np.bincount(
            old_place, weights=size, minlength=p
        )
        self.status += np.bincount(new_status, minlength=N_STATUS) - np.bincount(
            old_status, minlength=N_STATUS
        )
        for counter, states in (
            (self.returned_by_origin, (Status.RETURNED,)),
            (self.displaced_by_origin, DISPLACED),
        ):
            counter += np.bincount(origin[np.isin(new_status, states)], minlength=p)
            counter -= np.bincount(origin[np.isin(old_status, states)], minlength=p)
        w = np.empty((len(ids), len(PERSON_GROUPS)))
        for j, column in enumerate(person_columns(pop, ids)):
            w[:, j] = column
        states = np.arange(N_STATUS, dtype=np.int8)[:, None]
        self.persons_by_group += (
            (states == new_status).astype(np.float64) - (states == old_status)
        ) @ w
        pop.place[ids] = new_place
        pop.status[ids] = new_status
