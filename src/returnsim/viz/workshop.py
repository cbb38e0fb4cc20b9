"""The workshop's model and its controls, without any web code.

A participant's settings are a scenario from the scenarios folder, a seed and
a few bounded sliders (:data:`CONTROLS`) for the main levers. They become
dotted-key overrides of the scenario (:func:`overrides`), so what a
participant ran is a plain scenario that ``returnsim run`` reproduces.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from returnsim.errors import InputError
from returnsim.model import ReturnModel
from returnsim.parameters import BY_KEY
from returnsim.scenario import Scenario, load

#: Environment variables the ``returnsim serve`` command passes to the app.
SCENARIO_ENV = "RETURNSIM_SCENARIO"
FOLDER_ENV = "RETURNSIM_SCENARIOS_DIR"

#: The most households one participant's model may have (bounds memory and time).
MAX_HOUSEHOLDS = 100_000
#: The same for the per-agent reference engine (``scenario.engine = "agents"``), ~200x slower.
MAX_AGENT_HOUSEHOLDS = 5_000


@dataclass(frozen=True)
class Control:
    """A slider (or choice) of the workshop bound to one scenario parameter.

    ``scale`` converts the slider's unit to the parameter's (e.g. USD thousand
    to USD); ``low`` and ``high`` bound the slider, within the registry range.
    """

    name: str
    label: str
    key: str
    low: float = 0
    high: float = 0
    step: float = 1
    scale: float = 1.0
    kind: str = "int"  # int | float | choice

    def from_param(self, v: Any) -> Any:
        """Slider value for the parameter value ``v`` (clamped to the slider's range)."""
        if self.kind == "choice":
            return v
        x = min(max(v / self.scale, self.low), self.high)
        return round(round(x / self.step) * self.step, 6) if self.kind == "float" else round(x)

    def to_param(self, x: Any) -> Any:
        """Parameter value for the slider value ``x``."""
        if self.kind == "choice":
            return x
        v = min(max(float(x), self.low), self.high) * self.scale
        return round(v) if BY_KEY[self.key].kind == "int" else float(v)

    @property
    def choices(self) -> tuple[str, ...]:
        """Allowed values of a choice (from the registry)."""
        return BY_KEY[self.key].choices


#: The workshop's controls, in the order they appear.
CONTROLS: tuple[Control, ...] = (
    Control("households", "Households", "households.count", 1_000, MAX_HOUSEHOLDS, 1_000),
    Control("intensity", "Conflict intensity (x scenario)", "conflict.intensity", 0, 3, 0.1,
            kind="float"),
    Control("troops", "Troops", "peacekeeping.troops", 0, 30_000, 500),
    Control("police", "UN police", "peacekeeping.police", 0, 5_000, 100),
    Control("strategy", "Deployment strategy", "peacekeeping.strategy", kind="choice"),
    Control("cash", "Return cash, USD per person", "return_package.cash_per_person", 0, 300, 5),
    Control("reconstruction", "Reconstruction, USD k/month", "reconstruction.monthly_budget",
            0, 1_000, 10, 1_000.0),
    Control("livelihood", "Livelihood, USD k/month", "livelihood.monthly_budget",
            0, 500, 5, 1_000.0),
    Control("reconciliation", "Reconciliation, USD k/month", "reconciliation.monthly_budget",
            0, 200, 5, 1_000.0),
    Control("mhpss", "Psychosocial support, mobile teams", "mhpss.mobile_teams", 0, 30, 1),
    Control("aid", "Humanitarian aid, USD k/month", "aid.monthly_budget", 0, 1_000, 10, 1_000.0),
)  # fmt: skip

BY_NAME = {c.name: c for c in CONTROLS}

#: Controls a compare mix varies (the levers; not the world or its size).
LEVERS = tuple(c for c in CONTROLS if c.name not in ("households", "intensity"))


# ----------------------------------------------------------------- scenarios
def default_folder() -> Path:
    """The scenarios folder: ``$RETURNSIM_SCENARIOS_DIR``, else ./scenarios, else the project's."""
    given = os.environ.get(FOLDER_ENV)
    if given:
        return Path(given).resolve()
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here.resolve()
    return (Path(__file__).resolve().parents[3] / "scenarios").resolve()


def scenario_names(folder: Path | None = None) -> list[str]:
    """Names (file stems) of the ``*.toml`` scenarios directly in the folder, sorted."""
    folder = folder or default_folder()
    return sorted(p.stem for p in folder.glob("*.toml") if p.is_file())


def scenario_path(name: str, folder: Path | None = None) -> Path:
    """Path of scenario ``name`` in the folder; refuses anything outside it."""
    folder = (folder or default_folder()).resolve()
    stem = name.removesuffix(".toml")
    if not stem or "/" in stem or "\\" in stem or stem.startswith("."):
        raise InputError(f"scenario {name!r}: give a name from {folder} (no paths)")
    path = (folder / f"{stem}.toml").resolve()
    if path.parent != folder or not path.is_file():
        names = ", ".join(scenario_names(folder)) or "none"
        raise InputError(f"scenario {name!r} is not in {folder} (allowed: {names})")
    return path


def default_scenario() -> str:
    """Scenario the app opens with: ``$RETURNSIM_SCENARIO`` (a name), else baseline."""
    return os.environ.get(SCENARIO_ENV) or "baseline"


def load_named(name: str, folder: Path | None = None) -> Scenario:
    """Load a scenario of the folder, with its households capped at :data:`MAX_HOUSEHOLDS`."""
    spec = load(scenario_path(name, folder))
    if spec["households.count"] > MAX_HOUSEHOLDS:
        spec = spec.with_overrides({"households.count": MAX_HOUSEHOLDS}, origin="workshop")
    return spec


def control_values(spec: Scenario) -> dict[str, Any]:
    """Slider values showing the scenario's own settings."""
    return {c.name: c.from_param(spec[c.key]) for c in CONTROLS}


def parse_seed(text: Any, default: int) -> int:
    """The seed typed by a participant; ``default`` when empty or not a whole number >= 0."""
    try:
        seed = int(str(text).strip())
    except ValueError:
        return default
    return seed if 0 <= seed <= BY_KEY["scenario.seed"].high else default


def overrides(spec: Scenario, values: dict[str, Any], seed: int | None = None) -> dict[str, Any]:
    """Dotted-key overrides that give ``spec`` the slider ``values`` (only those that differ).

    A mandate ceiling is scaled with the uniformed strength, so more troops
    mean a larger mission over the same drawdown, not troops the ceiling
    turns away.
    """
    out: dict[str, Any] = {}
    for name, x in values.items():
        control = BY_NAME[name]
        v = control.to_param(x)
        if control.from_param(spec[control.key]) != x:
            out[control.key] = v
    if seed is not None and seed != spec["scenario.seed"]:
        out["scenario.seed"] = seed
    before = spec["peacekeeping.troops"] + spec["peacekeeping.police"]
    after = out.get("peacekeeping.troops", spec["peacekeeping.troops"]) + out.get(
        "peacekeeping.police", spec["peacekeeping.police"]
    )
    ceiling = spec["peacekeeping.ceiling"]
    if ceiling and after != before and before > 0:
        high = BY_KEY["peacekeeping.ceiling"].high
        out["peacekeeping.ceiling"] = [
            [m, float(min(high, round(v * after / before)))] for m, v in ceiling
        ]
    return out


def describe(model: WorkshopModel) -> str:
    """The running model's settings in words: scenario, seed and what differs from it."""
    by_key = {c.key: c for c in CONTROLS}
    parts = [f"{model.scenario_name}, seed {model.seed}"]
    for key, v in model.spec.overrides.items():
        c = by_key.get(key)
        if c is not None:
            shown = c.from_param(v)
            parts.append(f"{c.label} {shown:,}" if isinstance(shown, int) else f"{c.label} {shown}")
    return "; ".join(parts)


# --------------------------------------------------------------------- model
class WorkshopModel(ReturnModel):
    """A ReturnModel built from a workshop's settings (keyword arguments, as Mesa's viz needs).

    Every lever argument is in the slider's unit; None keeps the scenario's
    value. It remembers last month's violence and occupancy for the story of
    the month. ``lock`` is held while a month runs; views hold it while they
    read the model, so Mesa's threaded play never draws a half-updated month.
    """

    def __init__(
        self,
        *,
        scenario_name: str = "baseline",
        seed: str | int = "",
        households: int | None = None,
        intensity: float | None = None,
        troops: int | None = None,
        police: int | None = None,
        strategy: str | None = None,
        cash: float | None = None,
        reconstruction: float | None = None,
        livelihood: float | None = None,
        reconciliation: float | None = None,
        mhpss: int | None = None,
        aid: float | None = None,
    ) -> None:
        self.lock = threading.RLock()
        base = load_named(scenario_name)
        given = {
            "households": households,
            "intensity": intensity,
            "troops": troops,
            "police": police,
            "strategy": strategy,
            "cash": cash,
            "reconstruction": reconstruction,
            "livelihood": livelihood,
            "reconciliation": reconciliation,
            "mhpss": mhpss,
            "aid": aid,
        }
        values = {k: v for k, v in given.items() if v is not None}
        chosen = parse_seed(seed, base["scenario.seed"])
        changes = overrides(base, values, chosen)
        count = changes.get("households.count", base["households.count"])
        if base["scenario.engine"] == "agents" and count > MAX_AGENT_HOUSEHOLDS:
            changes["households.count"] = MAX_AGENT_HOUSEHOLDS
        spec = base.with_overrides(changes, origin="workshop") if changes else base
        super().__init__(spec)
        self.scenario_name = scenario_name
        self.settings = {**control_values(base), **values}
        self.prev_events = self.violence.events.copy()
        self.prev_households = self.tally.households.copy()
        #: axes positions of each chart, computed once per run (see components.png_with_layout)
        self.layouts: dict[str, list[Any]] = {}

    def step(self) -> None:
        """Advance one month, keeping last month's violence and occupancy."""
        with self.lock:
            self.prev_events = self.violence.events.copy()
            self.prev_households = self.tally.households.copy()
            super().step()

    @property
    def finished(self) -> bool:
        """Whether the run reached the scenario's last month."""
        return self.steps >= self.months

    def households_present(self) -> np.ndarray:
        """Households at each place now."""
        return np.asarray(self.tally.households)
