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
  The home government also refuses access, by rule, to places in the country whose
  security this month is below ``state.contested_security`` (contested areas: Tigray in
  2020-21, besieged areas of Syria, northern Rakhine).
  Levers that need access (``Lever.needs_access``: aid, psychosocial teams, protection,
  schooling, livelihood) neither spend nor act where it is refused (``Lever.reach``).
- **Return operations**: organised return (the return package) is offered only while
  the home government consents (``state.return_operations``).
- **The mission** deploys only while the host state consents (``state.mission_consent``,
  read by ``peacekeeping.Mission``); withdrawn consent sends it home.

Camps are opened and closed by the host government through the dated camp schedules
(``camps.capacity``, ``places.NAME.open``), and by a rule of pressure: once more
refugees than ``state.hosting_limit`` persons are on its soil, the host government
decides to close the refugee camps (the targets of ``camps``) and does so
``state.closure_notice_months`` later: their capacity and assistance are held at
``state.closure_share`` from then on (a camp closure, so returns it brings are induced,
``rules.pressure_shift``). Tanzania closed the camps of Burundian refugees in 2008-09
and Mtabila in 2012; Kenya announced the closure of Dadaab in 2016.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from returnsim.households import MEMBER_GROUPS, Status
from returnsim.param import Param, granted

if TYPE_CHECKING:
    from returnsim.world import World

G = len(MEMBER_GROUPS)
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
        key="state.contested_security",
        default=0.0,
        unit="security (0-1)",
        doc="Security below which the home government refuses humanitarian access to a "
        "place in the country this month (0: never on security grounds)",
        source="scenario (governments deny access to contested areas: UN OCHA access "
        "monitoring in Ethiopia's Tigray 2020-21, Syria's besieged areas, Myanmar's Rakhine)",
        low=0.0,
        high=1.0,
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
        key="state.hosting_limit",
        default=0.0,
        unit="persons",
        doc="Refugees on its soil above which the host government decides to close the "
        "refugee camps (0: no limit)",
        source="scenario (host governments close camps under a large, protracted caseload: "
        "Tanzania 2008-09 and 2012, Kenya's Dadaab announcement of 2016; UNHCR)",
        low=0.0,
        high=1e9,
    ),
    Param(
        key="state.closure_notice_months",
        default=6,
        unit="months",
        doc="Months from the host government's decision to close the camps to their closure",
        source="assumption (Kenya gave six months' notice for Dadaab in 2016; Tanzania about a "
        "year for Mtabila)",
        low=0,
        high=60,
        kind="int",
    ),
    Param(
        key="state.closure_share",
        default=0.1,
        unit="share",
        doc="Capacity and assistance of the closed camps, as a share of their scenario values",
        source="assumption (closure leaves a remnant: those not yet gone, a reduced service)",
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
        #: the month the host government closes the camps (None: not decided)
        self.closure_month: int | None = None

    def step(self, month: int) -> np.ndarray:
        """This month's access per place (``self.access``)."""
        p = self.p
        if self.first_refugees is None and self.model.tally.status[Status.REFUGEE] > 0:
            self.first_refugees = month
        host = granted(p.host_access, month)
        if self.refusal > 0 and self.first_refugees is not None:
            host &= month >= self.first_refugees + self.refusal
        home = granted(p.home_access, month)
        if p.contested_security > 0:
            home = home & (self.model.places.security >= p.contested_security)
        self.access[:] = np.where(self.abroad, host, home)
        if p.hosting_limit > 0 and self.closure_month is None:
            refugees = (
                self.model.tally.persons_by_group[Status.REFUGEE, :G].sum() * self.model.weight
            )
            if refugees > p.hosting_limit:
                self.closure_month = month + max(p.closure_notice_months, 1)
        return self.access

    def camps_closed(self, month: int) -> bool:
        """The host government has closed the refugee camps by this month (its rule)."""
        return self.closure_month is not None and month >= self.closure_month

    def return_operations(self, month: int) -> bool:
        return granted(self.p.return_operations, month)
