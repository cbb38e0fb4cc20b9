"""Livelihood support: vocational training, employment assistance and microloans.

The monthly budget is split by fixed shares among three programmes. Each
month, new participants are enrolled at the target places in a fixed order:
returnees first (status RETURNED), then the displaced there, households never
served before ahead of those served, each by household index; a household
follows one programme at a time. The programmes are interleaved in
proportion to the places funded. Money is committed at enrolment.

- **vocational training** (``training_cost`` per trainee, ``training_months``
  long): on completion skills close a share ``training_skill_gain`` of the
  gap to 1, and the livelihood boost rises by ``training_boost`` (of its gap);
- **employment assistance** (``employment_cost`` per person, job placement
  and wage subsidy for ``employment_months``): on completion the boost rises
  by ``employment_boost``. Unconditional grants to young adults in Uganda
  raised earnings ~38% after 4 years (Blattman et al., EVIDENCE.md);
- **microloans** (``loan_size`` plus ``loan_admin_cost``): assets rise by the
  loan, ``pop.loan`` records it, the boost rises by ``loan_boost``; the loan
  is repaid in equal instalments over ``loan_term`` months from assets (an
  instalment not met is carried). Each month an outstanding loan defaults
  with probability ``default_max x (1 - livelihood at the place)``: a poor
  local economy makes default likelier. A defaulted loan is written off.

Gains reach people in proportion to coordination (``self.efficiency``). The
boost is a proportional gain in earnings: it adds ``boost x savings_gain x
(0.5 + skills)`` USD to assets a month (savings; the skilled earn more of a
gain, 1 at the mean skill of 0.5), so the skills training gives raise what
households save, their capability to pay journeys home; it fades with a half-life of
``boost_halflife_months`` (Blattman et al.: effects converge with controls by
about 9 years). A modest market effect: a place's livelihood index rises by
``market_effect`` x the share of its households in programmes.

Default draws come from a sub-stream of ``streams["interventions"]`` keyed by
month, one uniform per household, so that lever settings never shift the
random numbers of other levers and paired runs share them (common random
numbers).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from returnsim.interventions.base import Lever, number, window
from returnsim.interventions.targeting import in_order, priority

K = "livelihood"
BLATTMAN = "Blattman et al. (EVIDENCE.md): grants raised earnings ~38% after 4 years"

NONE, TRAINING, EMPLOYMENT, LOAN = 0, 1, 2, 3
PROGRAMMES = ("training", "employment", "loan")
#: Tag of the default-draw sub-stream within the interventions stream.
STREAM_TAG = 0x4C49


PARAMS = (
    *window(K, "livelihood programmes"),
    number(
        key=f"{K}.monthly_budget",
        default=0.0,
        unit="USD per month",
        doc="Livelihood spending per month",
        source="scenario",
        low=0,
        high=1e11,
    ),
    number(
        key=f"{K}.training_share",
        default=0.4,
        unit="share",
        doc="Share of the budget for training",
        source="scenario",
        low=0,
        high=1,
    ),
    number(
        key=f"{K}.employment_share",
        default=0.3,
        unit="share",
        doc="Share for employment assistance",
        source="scenario",
        low=0,
        high=1,
    ),
    number(
        key=f"{K}.loan_share",
        default=0.3,
        unit="share",
        doc="Share of the budget for microloans",
        source="scenario",
        low=0,
        high=1,
    ),
    number(
        key=f"{K}.training_cost",
        default=400.0,
        unit="USD per trainee",
        doc="Cost of a vocational training course",
        source="assumption (short TVET courses USD 200-1,500)",
        low=50.0,
        high=5_000.0,
    ),
    number(
        key=f"{K}.training_months",
        default=6,
        unit="months",
        doc="Length of a course",
        source="assumption",
        low=1,
        high=24,
    ),
    number(
        key=f"{K}.training_skill_gain",
        default=0.3,
        unit="share",
        doc="Share of the skills gap (1 - skills) closed by a course",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    number(
        key=f"{K}.training_boost",
        default=0.2,
        unit="share",
        doc="Rise of the livelihood boost (share of its gap) after a course",
        source="assumption (training returns below those of cash; " + BLATTMAN + ")",
        low=0.0,
        high=1.0,
    ),
    number(
        key=f"{K}.employment_cost",
        default=250.0,
        unit="USD per person",
        doc="Cost of employment assistance (placement, wage subsidy)",
        source="assumption",
        low=20.0,
        high=5_000.0,
    ),
    number(
        key=f"{K}.employment_months",
        default=3,
        unit="months",
        doc="Length of employment assistance",
        source="assumption",
        low=1,
        high=24,
    ),
    number(
        key=f"{K}.employment_boost",
        default=0.38,
        unit="share",
        doc="Rise of the livelihood boost (share of its gap) after employment assistance",
        source=BLATTMAN,
        low=0.0,
        high=1.0,
    ),
    number(
        key=f"{K}.loan_size",
        default=300.0,
        unit="USD",
        doc="Microloan per household",
        source="assumption (post-conflict microfinance USD 100-1,000)",
        low=20.0,
        high=10_000.0,
    ),
    number(
        key=f"{K}.loan_admin_cost",
        default=60.0,
        unit="USD per loan",
        doc="Cost of appraising, disbursing and following a loan",
        source="assumption (about 20% of the loan)",
        low=0.0,
        high=2_000.0,
    ),
    number(
        key=f"{K}.loan_term",
        default=12,
        unit="months",
        doc="Repayment period of a microloan",
        source="assumption",
        low=1,
        high=60,
    ),
    number(
        key=f"{K}.loan_boost",
        default=0.2,
        unit="share",
        doc="Rise of the livelihood boost (share of its gap) from the business a loan funds",
        source="assumption (" + BLATTMAN + ")",
        low=0.0,
        high=1.0,
    ),
    number(
        key=f"{K}.default_max",
        default=0.02,
        unit="per month",
        doc="Chance an outstanding loan defaults in a month where the livelihood index is 0",
        source="assumption (about 10-15% of loans default over a year at livelihood 0.5)",
        low=0.0,
        high=0.5,
    ),
    number(
        key=f"{K}.boost_halflife_months",
        default=36.0,
        unit="months",
        doc="Half-life of the livelihood boost",
        source=BLATTMAN + ", converging with controls by 9 years",
        low=6.0,
        high=120.0,
    ),
    number(
        key=f"{K}.savings_gain",
        default=25.0,
        unit="USD per month",
        doc="Extra monthly savings (added to assets) of a household at a livelihood boost of 1 "
        "and mean skills (times 0.5 + skills)",
        source="assumption (earnings ~USD 100 a month; about a quarter of a gain is saved)",
        low=0.0,
        high=500.0,
    ),
    number(
        key=f"{K}.market_effect",
        default=0.1,
        unit="index 0-1",
        doc="Rise of a place's livelihood index when all its households are in programmes",
        source="assumption (small local multiplier)",
        low=0.0,
        high=0.5,
    ),
)


class Livelihood(Lever):
    """Training, employment assistance and microloans for returnees and the displaced."""

    key = K
    counted = ("participants", "enrolled_", "completed_", "loans_outstanding", "loan_defaults")
    needs_access = True
    default_places = "in_country"
    phase = 60
    priority = 60
    #: gain from the programmes (0-1, fades), USD of microloan outstanding
    columns: ClassVar[dict[str, str]] = {"livelihood_boost": "float32", "loan": "float32"}

    def __init__(self, model: object) -> None:
        super().__init__(model)
        n = self.model.pop.n
        shares = np.array([self.p[f"{p}_share"] for p in PROGRAMMES])
        self.shares = shares / shares.sum() if shares.sum() > 0 else shares
        self.cost = np.array(
            [
                self.p.training_cost,
                self.p.employment_cost,
                self.p.loan_size + self.p.loan_admin_cost,
            ]
        )
        self.programme = np.zeros(n, dtype=np.int8)  # NONE, TRAINING, EMPLOYMENT or LOAN
        self.months_left = np.zeros(n, dtype=np.int16)
        self.served = np.zeros(n, dtype=bool)
        #: livelihood added to each place by the programmes (rises show at once)
        self.effect = self.model.places.contribution(K, immediate=True)
        self.decay = np.float32(0.5 ** (1.0 / self.p.boost_halflife_months))
        seq = self.model.streams["interventions"].bit_generator.seed_seq
        self._seed = (seq.entropy, tuple(seq.spawn_key))
        self.enrolled = np.zeros(3, dtype=np.int64)  # by programme, cumulative
        self.completed = np.zeros(3, dtype=np.int64)
        self.disbursed = 0.0
        self.repaid = 0.0
        self.written_off = 0.0
        self.defaults = 0

    def request(self, month: int) -> float:
        return self.p.monthly_budget

    @property
    def participants(self) -> int:
        return int(np.count_nonzero(self.programme))

    @property
    def loans_outstanding(self) -> float:
        return float(self.model.pop.loan[self.programme == LOAN].sum())

    def _uniforms(self, month: int) -> np.ndarray:
        """One uniform per household for this month's default draws (sub-stream by month)."""
        entropy, key = self._seed
        seq = np.random.SeedSequence(entropy, spawn_key=(*key, STREAM_TAG, month))
        return np.random.default_rng(seq).random(self.model.pop.n, dtype=np.float32)

    # --------------------------------------------------------------- month
    def apply(self, month: int, funds: float) -> float:
        pop = self.model.pop
        pop.livelihood_boost *= self.decay
        # Earnings gains pay more to the skilled: (0.5 + skills), 1 at the mean skill.
        pop.assets += (
            pop.livelihood_boost * (np.float32(0.5) + pop.skills) * np.float32(self.p.savings_gain)
        )
        if self.enrolled.any():
            self._loans(month)
            self._complete()
        spent = self._enrol(funds) if funds > 0 else 0.0
        self._market()
        return spent

    def _raise(self, ids: np.ndarray, gain: str) -> None:
        """Raise the boost of ``ids`` by ``gain`` (share of the gap), scaled by efficiency."""
        g = np.float32(self.p[f"{gain}"] * self.efficiency)
        boost = self.model.pop.livelihood_boost
        boost[ids] += g * (np.float32(1.0) - boost[ids])

    def _loans(self, month: int) -> None:
        """Defaults first (written off), then instalments from assets."""
        pop = self.model.pop
        ids = np.flatnonzero(self.programme == LOAN)
        if len(ids) == 0:
            return
        p = self.p.default_max * (1.0 - self.model.places.livelihood[pop.place[ids]])
        gone = self._uniforms(month)[ids] < p
        self.defaults += int(gone.sum())
        self.written_off += float(pop.loan[ids[gone]].sum()) * self.weight
        pop.loan[ids[gone]] = 0.0
        self.programme[ids[gone]] = NONE
        ids = ids[~gone]
        due = np.float32(self.p.loan_size / self.p.loan_term)
        pay = np.minimum(np.minimum(due, pop.loan[ids]), np.maximum(pop.assets[ids], 0))
        pop.assets[ids] -= pay
        pop.loan[ids] -= pay
        self.repaid += float(pay.sum()) * self.weight
        done = ids[pop.loan[ids] <= 0.005]
        self.repaid += float(pop.loan[done].sum()) * self.weight  # float32 rounding dust
        pop.loan[done] = 0.0
        self.programme[done] = NONE
        self.completed[LOAN - 1] += len(done)

    def _complete(self) -> None:
        """Training and employment assistance that end this month deliver their gains."""
        pop = self.model.pop
        ids = np.flatnonzero((self.programme == TRAINING) | (self.programme == EMPLOYMENT))
        self.months_left[ids] -= 1
        ids = ids[self.months_left[ids] <= 0]
        kind = self.programme[ids]
        trained = ids[kind == TRAINING]
        g = np.float32(self.p.training_skill_gain * self.efficiency)
        pop.skills[trained] += g * (np.float32(1.0) - pop.skills[trained])
        self._raise(trained, "training_boost")
        self._raise(ids[kind == EMPLOYMENT], "employment_boost")
        self.completed[:2] += [len(trained), len(ids) - len(trained)]
        self.programme[ids] = NONE

    def _enrol(self, funds: float) -> float:
        """New participants in priority order, programmes interleaved by their funded numbers."""
        pop = self.model.pop
        ids = np.flatnonzero(self.at_targets() & (self.programme == NONE))
        group = priority(pop.status[ids])
        ids, group = ids[group < 2], group[group < 2]
        if len(ids) == 0:
            return 0.0
        # Returnees, then the displaced; within each, the never served first.
        group = 2 * group + self.served[ids]
        # real places funded; in simulated households, whole on average (``whole``)
        real = np.floor(funds * self.shares / self.cost + 1e-9)
        slots = np.array([self.whole(f"slots{k}", r / self.weight) for k, r in enumerate(real)])
        ids = in_order(ids, group, limit=int(min(slots.sum(), len(ids))))
        full = slots.sum() > len(ids)
        if full:  # more places funded than people to fill them
            slots = np.floor(slots * len(ids) / slots.sum())
        slots = slots.astype(np.int64)
        # Interleave: programme k's j-th place sits at (j + 0.5) / n_k of the queue.
        kind = np.repeat(np.arange(1, 4, dtype=np.int8), slots)
        rank = np.concatenate([(np.arange(m) + 0.5) / max(m, 1) for m in slots])
        kind = kind[np.argsort(rank, kind="stable")]
        ids = ids[: len(kind)]
        self.programme[ids] = kind
        self.served[ids] = True
        for k, name in ((TRAINING, "training"), (EMPLOYMENT, "employment")):
            self.months_left[ids[kind == k]] = self.p[f"{name}_months"]
        borrowers = ids[kind == LOAN]
        size = np.float32(self.p.loan_size)
        pop.loan[borrowers] = size
        pop.assets[borrowers] += size
        self._raise(borrowers, "loan_boost")
        counts = np.bincount(kind, minlength=4)[1:]
        self.enrolled += counts
        self.disbursed += len(borrowers) * float(size) * self.weight
        return float(counts @ self.cost) * self.weight if full else float(real @ self.cost)

    def _market(self) -> None:
        """A place's livelihood rises with the share of its households in programmes."""
        if not self.enrolled.any():
            return
        places, pop = self.model.places, self.model.pop
        inside = np.bincount(pop.place[self.programme != NONE], minlength=places.n)
        share = inside / np.maximum(self.model.tally.households, 1)
        market = self.p.market_effect * share * self.efficiency
        self.effect.livelihood[:] = market  # rises show at once, falls work via the drift

    def summary(self) -> dict[str, float]:
        """Participants, completions, loans and defaults, for reports."""
        return {
            "participants": self.participants,
            **{f"enrolled_{p}": int(v) for p, v in zip(PROGRAMMES, self.enrolled, strict=True)},
            **{f"completed_{p}": int(v) for p, v in zip(PROGRAMMES, self.completed, strict=True)},
            "loans_disbursed_usd": self.disbursed,
            "loans_repaid_usd": self.repaid,
            "loans_outstanding_usd": self.loans_outstanding,
            "loans_written_off_usd": self.written_off,
            "loan_defaults": self.defaults,
        }
