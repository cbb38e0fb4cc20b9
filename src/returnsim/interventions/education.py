"""Education: school enrolment support, catch-up classes and learning materials.

The monthly budget is split by fixed shares among three lines:

- **enrolment support** (fee waivers, capitation grants; ``enrolment_cost``
  per child-month): the share of each target place's children funded this
  month, the budget spread over places by their children;
- **catch-up classes** (accelerated learning; ``catchup_cost`` per child for
  a course of ``catchup_months``): for the children of returnee households
  first, then of displaced households at the target places, each by household
  index, a household's children together and once. Households whose children
  followed a course are marked (``followed``). When the course ends, a share
  ``catchup_retention`` of their children stay enrolled in the formal school
  (accelerated education's purpose: over-age children who missed years rejoin
  school at their age): the household column ``catchup_kept`` holds that share
  (``catchup_retention x efficiency`` at the end of the course) and travels
  with the household, e.g. home on return, and lasts after the programme;
- **learning materials** (``materials_cost`` per child, a kit lasting
  ``materials_months``): returnees, then the displaced, then everyone else.

Each month, a place's coverage by each line (children reached over children
there: ``c_enrol``, ``c_course`` for children in a course, ``c_materials``,
and ``c_kept = sum(children x catchup_kept) / children`` for those kept in
school) closes a share of its schooling gap:

    bonus = (1 - base) x min(1, efficiency x (enrolment_gain x c_enrol
                                 + catchup_gain x c_course + materials_gain x c_materials)
                                 + catchup_gain x c_kept)

where ``base`` is the place's schooling index without this lever.
``catchup_gain`` (0.6) is sized to the enrolment effect of bringing school to
children who were out of it (Burde & Linden 2013: +42 percentage points of
formal enrolment where about 37% attended, about two thirds of the gap), and
``catchup_retention`` (0.75) to the share of accelerated-learning graduates
still in school years later (Akyeampong et al. 2018: 75% five years on).
The bonus is the lever's contribution to the place's base schooling (diminishing
returns toward 1): enrolment support and kits are withdrawn as they end, the
children kept in school keep theirs. A rise lifts schooling at once (an
immediate contribution), while a fall works through the places' usual drift
toward their base (``dynamics.recovery_rate``). Schooling at a place is what
households with school-age children weigh when they choose where to live
(``decision.w_school_age``) and what reintegration's schooling indicator
reads. Money is committed when support is given (courses and kits up front).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from returnsim.interventions.base import Lever, number, window
from returnsim.interventions.targeting import in_order, priority

K = "education"
LINES = ("enrolment", "catchup", "materials")


PARAMS = (
    *window(K, "education support"),
    number(
        key=f"{K}.monthly_budget",
        default=0.0,
        unit="USD per month",
        doc="Education spending per month",
        source="scenario",
        low=0,
        high=1e11,
    ),
    number(
        key=f"{K}.enrolment_share",
        default=0.5,
        unit="share",
        doc="Share of the budget for enrolment",
        source="scenario",
        low=0,
        high=1,
    ),
    number(
        key=f"{K}.catchup_share",
        default=0.3,
        unit="share",
        doc="Share of the budget for catch-up classes",
        source="scenario",
        low=0,
        high=1,
    ),
    number(
        key=f"{K}.materials_share",
        default=0.2,
        unit="share",
        doc="Share for learning materials",
        source="scenario",
        low=0,
        high=1,
    ),
    number(
        key=f"{K}.enrolment_cost",
        default=8.0,
        unit="USD per child-month",
        doc="Cost of enrolment support (fee waiver, capitation grant) per child and month",
        source="assumption (school fees and capitation grants USD 30-150 a school year)",
        low=1.0,
        high=100.0,
    ),
    number(
        key=f"{K}.catchup_cost",
        default=150.0,
        unit="USD per child",
        doc="Cost of a catch-up (accelerated learning) course per child",
        source="assumption (accelerated education programmes USD 100-300 per learner)",
        low=20.0,
        high=1_000.0,
    ),
    number(
        key=f"{K}.catchup_months",
        default=9,
        unit="months",
        doc="Length of a catch-up course",
        source="assumption",
        low=1,
        high=24,
    ),
    number(
        key=f"{K}.materials_cost",
        default=15.0,
        unit="USD per child",
        doc="Cost of a kit of learning materials",
        source="assumption (UNICEF school-in-a-box and student kits USD 5-40 per child)",
        low=1.0,
        high=200.0,
    ),
    number(
        key=f"{K}.materials_months",
        default=12,
        unit="months",
        doc="Months a kit of materials lasts",
        source="assumption",
        low=1,
        high=36,
    ),
    number(
        key=f"{K}.enrolment_gain",
        default=0.3,
        unit="share",
        doc="Share of the schooling gap closed when every child at a place gets enrolment support",
        source="assumption (fee abolition raised primary enrolment sharply in East Africa)",
        low=0.0,
        high=1.0,
    ),
    number(
        key=f"{K}.catchup_gain",
        default=0.6,
        unit="share",
        doc="Share of the schooling gap closed when every child at a place follows catch-up "
        "classes (or stays in school after one)",
        source="Burde & Linden 2013 (AEJ Applied 5(3); RCT of village-based schools, rural "
        "Afghanistan): formal enrolment +42 percentage points where about 37% of children "
        "attended, about 2/3 of the gap, test scores +0.5 SD; that catch-up classes for "
        "out-of-school children close a similar share (0.6) is an assumption",
        low=0.0,
        high=1.0,
    ),
    number(
        key=f"{K}.catchup_retention",
        default=0.75,
        unit="share",
        doc="Share of the children who finished a catch-up course who stay enrolled in school "
        "afterwards (a lasting outcome, held by the household)",
        source="Akyeampong et al. 2018 (University of Sussex, Speed School Ethiopia 2011-17): "
        "75% of accelerated-learning graduates still in school five years on (66% of "
        "government-school peers); no further drop-out beyond that share is an assumption",
        low=0.0,
        high=1.0,
    ),
    number(
        key=f"{K}.materials_gain",
        default=0.1,
        unit="share",
        doc="Share of the schooling gap closed when every child at a place has learning materials",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
)


class Education(Lever):
    """Schooling for children in return areas and displacement places."""

    key = K
    counted = ("catchup_", "material_kits")
    needs_access = True
    default_places = "all"
    phase = 70
    priority = 70
    #: share of the household's children kept in school after a catch-up course
    columns: ClassVar[dict[str, str]] = {"catchup_kept": "float32"}

    def __init__(self, model: object) -> None:
        super().__init__(model)
        n = self.model.pop.n
        shares = np.array([self.p[f"{line}_share"] for line in LINES])
        self.shares = shares / shares.sum() if shares.sum() > 0 else shares
        self.course_left = np.zeros(n, dtype=np.int16)  # months of catch-up course left
        self.followed = np.zeros(n, dtype=bool)  # children followed a catch-up course
        self.kit_left = np.zeros(n, dtype=np.int16)  # months the materials still last
        #: the schooling index this lever adds at each place (rises show at once)
        self.effect = self.model.places.contribution(K, immediate=True)
        self.child_months = 0  # enrolment support given
        self.catchup_children = 0
        self.kits = 0
        self.spent_on = dict.fromkeys(LINES, 0.0)
        self.month_spent = dict.fromkeys(LINES, 0.0)

    def request(self, month: int) -> float:
        return self.p.monthly_budget

    def apply(self, month: int, funds: float) -> float:
        if funds <= 0 and not (self.effect.education.any() or self.course_left.any()):
            return 0.0
        pop, places = self.model.pop, self.model.places
        self.month_spent = dict.fromkeys(LINES, 0.0)
        for left in (self.course_left, self.kit_left):
            on = np.flatnonzero(left)
            left[on] -= 1
            if left is self.course_left:
                # Courses ending this month: a share of their children stay enrolled.
                ended = on[left[on] == 0]
                pop.catchup_kept[ended] = self.p.catchup_retention * self.efficiency
        children = np.bincount(pop.place, weights=pop.children, minlength=places.n)
        enrolled = self._enrol(funds * self.shares[0], children) if funds > 0 else 0.0
        if funds > 0:
            # Households with children at the target places, and their priority group.
            cand = np.flatnonzero(self.at_targets() & (pop.children > 0))
            group = priority(pop.status[cand])
            self._catchup(funds * self.shares[1], cand, group)
            self._materials(funds * self.shares[2], cand, group)
        reached = {
            "catchup": self.course_left > 0,
            "materials": self.kit_left > 0,
        }
        gain = self.p.enrolment_gain * enrolled
        for line, who in reached.items():
            ids = np.flatnonzero(who)
            cover = np.bincount(pop.place[ids], weights=pop.children[ids], minlength=places.n)
            gain = gain + self.p[f"{line}_gain"] * cover / np.maximum(children, 1)
        ids = np.flatnonzero(pop.catchup_kept)
        weights = pop.children[ids] * pop.catchup_kept[ids].astype(np.float64)
        kept = np.bincount(pop.place[ids], weights=weights, minlength=places.n)
        lasting = self.p.catchup_gain * kept / np.maximum(children, 1)
        base = places.base_education - self.effect.education
        # Support given lifts schooling at once; support withdrawn fades at the
        # places' recovery rate, as the base falls (Places.refresh). Children kept
        # in school after a course keep their share (coordination counted at the end).
        share = np.minimum(gain * self.efficiency + lasting, 1.0)
        self.effect.education[:] = (1.0 - base) * share
        return sum(self.month_spent.values())

    def _enrol(self, funds: float, children: np.ndarray) -> np.ndarray:
        """Child-months of enrolment support by place; returns coverage per place."""
        kids = np.where(self.mask, children, 0.0)
        cost, w = self.p.enrolment_cost, self.weight
        funded = np.zeros_like(kids)
        if kids.sum() > 0:  # real child-months paid for, in simulated children
            funded = np.minimum(kids, np.floor(funds * kids / kids.sum() / cost + 1e-9) / w)
        self.month_spent["enrolment"] = float(funded.sum()) * cost * w
        self.spent_on["enrolment"] += self.month_spent["enrolment"]
        self.child_months += round(float(funded.sum()) * w)
        return funded / np.maximum(children, 1)

    def _buy(self, line: str, ids: np.ndarray, funds: float, cost: float) -> np.ndarray:
        """The households in ``ids`` order whose children can all be paid for with ``funds``."""
        n, spent = self.buy(line, self.model.pop.children[ids] * cost, funds)
        take = ids[:n]
        self.month_spent[line] = spent
        self.spent_on[line] += spent
        return take

    def _catchup(self, funds: float, cand: np.ndarray, group: np.ndarray) -> None:
        pop = self.model.pop
        ok = (group < 2) & ~self.followed[cand] & (self.course_left[cand] == 0)
        cost = self.p.catchup_cost
        queue = in_order(cand[ok], group[ok], limit=int(funds // (cost * self.weight)) + 2)
        take = self._buy("catchup", queue, funds, cost)
        self.course_left[take] = self.p.catchup_months
        self.followed[take] = True
        self.catchup_children += int(pop.children[take].sum())

    def _materials(self, funds: float, cand: np.ndarray, group: np.ndarray) -> None:
        pop = self.model.pop
        ok = self.kit_left[cand] == 0
        cost = self.p.materials_cost
        queue = in_order(cand[ok], group[ok], limit=int(funds // (cost * self.weight)) + 2)
        take = self._buy("materials", queue, funds, cost)
        self.kit_left[take] = self.p.materials_months
        self.kits += int(pop.children[take].sum())

    def summary(self) -> dict[str, float]:
        """Children reached and money spent by line, for reports."""
        pop = self.model.pop
        return {
            "enrolment_child_months": self.child_months,
            "catchup_children": self.catchup_children,
            "catchup_households": int(self.followed.sum()),
            "catchup_children_kept": float((pop.children * pop.catchup_kept).sum()),
            "material_kits": self.kits,
            **{f"spent_{k}": v for k, v in self.spent_on.items()},
        }
