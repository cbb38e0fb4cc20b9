"""The state as an actor: governments' consent for humanitarian access, return operations
and the mission.

Humanitarian work needs the consent of the government where it is done. Each month:

- **Access** at a place is granted when the government there consents: the host
  government for places abroad (``state.host_access``), the home government for places
  in the country (``state.home_access``), both [month, 0 | 1] step schedules, open
  before their first entry. The host government may also refuse access for its first
  ``state.refusal_months`` months with refugees on its soil (a rule: it treats the
  arrivals as a security matter first, as Lithuania first refused the Red Cross's help
  at the Belarus border in 2021); an agreement signed with civil society in preparedness
  (``state.preparedness_agreement``: the National Society's auxiliary role, pre-agreed
  legal facilities) cuts that refusal by ``state.agreement_cut`` of its months.
  Levers that need access (``Lever.needs_access``: aid, psychosocial teams, protection,
  schooling, livelihood) neither spend nor act where it is refused (``Lever.reach``).
- **Return operations**: organised return (the return package) is offered only while
  the home government consents (``state.return_operations``).
- **The mission** deploys only while the host state consents (``state.mission_consent``,
  read by ``peacekeeping.Mission``); withdrawn consent sends it home.

Camps are opened and closed by the host government through the dated camp schedules
(``camps.capacity``, ``places.NAME.open``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from returnsim.households import Status
from returnsim.param import Param, granted

if TYPE_CHECKING:
    from returnsim.world import World

CONSENT = "scenario (governments grant or refuse access: UN OCHA, Humanitarian Access)"

PARAMS: tuple[Param, ...] = (
    Param(
        key="state.host_access",
        default=[],
        unit="[month, 0 refused | 1 granted]",
        doc="Host government's consent for humanitarian access at places abroad, by month "
        "(step schedule; granted before the first entry and when empty)",
        source=CONSENT,
        low=0.0,
        high=1.0,
        kind="gate",
    ),
    Param(
        key="state.home_access",
        default=[],
        unit="[month, 0 refused | 1 granted]",
        doc="Home government's consent for humanitarian access at places in the country, by "
        "month (step schedule; granted before the first entry and when empty)",
        source=CONSENT,
        low=0.0,
        high=1.0,
        kind="gate",
    ),
    Param(
        key="state.refusal_months",
        default=0,
        unit="months",
        doc="Months the host government refuses humanitarian access abroad once refugees are "
        "on its soil",
        source="Lithuania-Belarus border 2021 (the seed case): the government first refused the "
        "Red Cross's help at the border and accepted it about two months later",
        low=0,
        high=120,
        kind="int",
    ),
    Param(
        key="state.preparedness_agreement",
        default=False,
        unit="switch",
        doc="An agreement on humanitarian access signed in preparedness between the host "
        "government and civil society (the National Red Cross Society)",
        source="IFRC Disaster Law: pre-agreed legal facilities for assistance (the Red Cross's "
        "recommendation in the seed case)",
        kind="bool",
    ),
    Param(
        key="state.agreement_cut",
        default=0.5,
        unit="share of the refusal",
        doc="Share of the months of refusal an agreement signed in preparedness removes",
        source="assumption",
        low=0.0,
        high=1.0,
    ),
    Param(
        key="state.return_operations",
        default=[],
        unit="[month, 0 refused | 1 granted]",
        doc="Home government's consent for organised return (the return package), by month "
        "(step schedule; granted before the first entry and when empty)",
        source=CONSENT,
        low=0.0,
        high=1.0,
        kind="gate",
    ),
    Param(
        key="state.mission_consent",
        default=[],
        unit="[month, 0 withdrawn | 1 given]",
        doc="Host state's consent for the peacekeeping mission, by month (step schedule; "
        "given before the first entry and when empty): without it the mission leaves",
        source="UN peacekeeping principles (consent of the parties); Burundi asked ONUB to "
        "leave in 2006, the DRC pressed for MONUSCO's drawdown",
        low=0.0,
        high=1.0,
        kind="gate",
    ),
)


class State:
    """The host and home governments' consent, month by month."""

    def __init__(self, model: World) -> None:
        self.model = model
        self.p = model.p.state
        self.abroad = model.places.abroad
        self.first_refugees: int | None = None  # month refugees were first on host soil
        self.refusal = self.p.refusal_months
        if self.p.preparedness_agreement:
            self.refusal = round(self.refusal * (1.0 - self.p.agreement_cut))
        #: per place: humanitarian access granted this month
        self.access = np.ones(len(self.abroad), dtype=bool)

    def step(self, month: int) -> np.ndarray:
        """This month's access per place (``self.access``)."""
        p = self.p
        if self.first_refugees is None and self.model.tally.status[Status.REFUGEE] > 0:
            self.first_refugees = month
        host = granted(p.host_access, month)
        if self.refusal > 0 and self.first_refugees is not None:
            host &= month >= self.first_refugees + self.refusal
        self.access[:] = np.where(self.abroad, host, granted(p.home_access, month))
        return self.access

    def return_operations(self, month: int) -> bool:
        return granted(self.p.return_operations, month)
