"""returnsim: an agent-based model of displacement and voluntary return after conflict.

The public names are loaded on first use, so ``import returnsim`` (or
``returnsim.errors``) loads neither Mesa nor matplotlib. ``returnsim.run``,
``sweep``, ``compare``, ``optimize`` and ``calibrate`` are the Python API
(:mod:`returnsim.api`; reference: ``docs/api.md``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from returnsim.version import __version__

#: public name -> module it lives in
_PUBLIC = {
    "ReturnModel": "returnsim.model",
    "Scenario": "returnsim.scenario",
    "load": "returnsim.scenario",
    "Status": "returnsim.households",
    "run": "returnsim.api",
    "sweep": "returnsim.api",
    "compare": "returnsim.api",
    "optimize": "returnsim.api",
    "calibrate": "returnsim.api",
}

__all__ = [
    "ReturnModel",
    "Scenario",
    "Status",
    "__version__",
    "calibrate",
    "compare",
    "load",
    "optimize",
    "run",
    "sweep",
]

if TYPE_CHECKING:  # for type checkers and editors only; at run time __getattr__ loads them
    from returnsim.api import calibrate, compare, optimize, run, sweep
    from returnsim.households import Status
    from returnsim.model import ReturnModel
    from returnsim.scenario import Scenario, load


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'returnsim' has no attribute {name!r}")
