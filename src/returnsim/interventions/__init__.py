"""Policy levers, one module per family, and the budget that funds them.

``LEVERS`` lists the lever classes in the order they act within a month when
the budget does not say otherwise; ``PARAMS`` gathers their parameters for
the scenario registry.
"""

from __future__ import annotations

from returnsim.interventions import (
    aid,
    budget,
    coordination,
    education,
    information,
    livelihood,
    mhpss,
    protection,
    reconciliation,
    reconstruction,
    return_package,
)
from returnsim.interventions.aid import Aid
from returnsim.interventions.base import Lever
from returnsim.interventions.budget import Budget
from returnsim.interventions.coordination import Coordination
from returnsim.interventions.education import Education
from returnsim.interventions.information import Information
from returnsim.interventions.livelihood import Livelihood
from returnsim.interventions.mhpss import MHPSS
from returnsim.interventions.protection import Protection
from returnsim.interventions.reconciliation import Reconciliation
from returnsim.interventions.reconstruction import Reconstruction
from returnsim.interventions.return_package import PackageTerms, ReturnPackage

LEVERS: tuple[type[Lever], ...] = (
    Coordination,
    Aid,
    ReturnPackage,
    Protection,
    MHPSS,
    Reconciliation,
    Information,
    Reconstruction,
    Livelihood,
    Education,
)

PARAMS = (
    *budget.PARAMS,
    *aid.PARAMS,
    *return_package.PARAMS,
    *coordination.PARAMS,
    *protection.PARAMS,
    *mhpss.PARAMS,
    *reconciliation.PARAMS,
    *information.PARAMS,
    *reconstruction.PARAMS,
    *livelihood.PARAMS,
    *education.PARAMS,
)

__all__ = ["LEVERS", "PARAMS", "Budget", "Lever", "PackageTerms"]
