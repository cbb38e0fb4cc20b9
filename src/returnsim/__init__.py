"""returnsim: an agent-based model of displacement and voluntary return after conflict."""

from returnsim.households import Status
from returnsim.model import ReturnModel
from returnsim.scenario import Scenario, load

__version__ = "0.1.0"
__all__ = ["ReturnModel", "Scenario", "Status", "__version__", "load"]
