"""The workshop's model and its controls, without any web code.

A participant's settings are a scenario from the scenarios folder, a seed and
a few bounded sliders (:data:`CONTROLS`) for the main levers. They become
dotted-key overrides of the scenario (:func:`overrides`), so what a
participant ran is a plain scenario that ``returnsim run`` reproduces.
"""

from __future__ import annotations

import inspect
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from returnsim import limits, tomlfile
from returnsim.errors import InputError
from returnsim.model import ReturnModel
from returnsim.parameters import BY_KEY, LEVER_SECTIONS
from returnsim.scenario import Scenario, from_dict, load

#: Environment variables the ``returnsim serve`` command passes to the app.
SCENARIO_ENV = "RETURNSIM_SCENARIO"
FOLDER_ENV = "RETURNSIM_SCENARIOS_DIR"

#: The most households one participant's model may have (bounds memory and time).
MAX_HOUSEHOLDS = 100_000
#: The same for the per-agent reference engine (``scenario.engine = "agents"``), ~200x slower.
MAX_AGENT_HOUSEHOLDS = 5_000
#: The largest scenario file a participant may upload (the project's are about 5 KB).
MAX_UPLOAD_BYTES = 256 * 1024
#: The longest scenario or uploaded file name taken (a file system allows 255 bytes).
MAX_NAME = 120


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

    def clamp(self, x: Any) -> Any:
        """The slider value ``x`` as the server takes it, whatever a client sent.

        A number is clamped to ``[low, high]`` (an int slider's is rounded); a
        choice must be one of :attr:`choices`. Anything else (text, NaN, a
        list, true/false) raises InputError naming the slider and its range.
        """
        if self.kind == "choice":
            if isinstance(x, str) and x in self.choices:
                return x
            raise InputError(
                f"{self.label} ({self.key}): {_shown(x)} is not allowed "
                f"(one of {', '.join(self.choices)})"
            )
        ok = isinstance(x, int | float) and not isinstance(x, bool)
        if not ok or (isinstance(x, float) and math.isnan(x)):
            raise InputError(
                f"{self.label} ({self.key}): {_shown(x)} is not allowed "
                f"(a number from {self.low:,g} to {self.high:,g})"
            )
        v = min(max(x, self.low), self.high)
        return round(v) if self.kind == "int" else float(v)

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

#: Controls a compare mix varies: those of the registry's lever sections (not the world or
#: its size).
LEVERS = tuple(c for c in CONTROLS if c.key.split(".")[0] in LEVER_SECTIONS)


# ----------------------------------------------------------------- scenarios
def default_folder() -> Path:
    """The scenarios folder: ``$RETURNSIM_SCENARIOS_DIR``, else ./scenarios (the user says
    where; an installed package has no project folder to fall back on)."""
    given = os.environ.get(FOLDER_ENV)
    return Path(given).resolve() if given else (Path.cwd() / "scenarios").resolve()


def scenario_names(folder: Path | None = None) -> list[str]:
    """Names (file stems) of the ``*.toml`` scenarios directly in the folder, sorted."""
    folder = folder or default_folder()
    return sorted(p.stem for p in folder.glob("*.toml") if p.is_file())


def scenario_path(name: str, folder: Path | None = None) -> Path:
    """Path of scenario ``name`` in the folder; refuses anything outside it."""
    folder = (folder or default_folder()).resolve()
    stem = name.removesuffix(".toml") if isinstance(name, str) else ""
    if not _plain_name(stem):
        raise InputError(f"scenario {_shown(name)}: give a name from {folder} (no paths)")
    path = (folder / f"{stem}.toml").resolve()
    if path.parent != folder or not path.is_file():
        names = ", ".join(scenario_names(folder)) or "none"
        raise InputError(f"scenario {_shown(name)} is not in {folder} (allowed: {names})")
    return path


def _plain_name(stem: str) -> bool:
    """Whether ``stem`` is a bare file name: no folder, no hidden file, no control characters."""
    return (
        0 < len(stem) <= MAX_NAME
        and not stem.startswith(".")
        and not any(c in "/\\" or ord(c) < 32 or ord(c) == 127 for c in stem)
    )


def _shown(x: Any) -> str:
    """``x`` for a one-line message: its repr, cut to 40 characters."""
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def load_uploaded(filename: str, data: bytes) -> Scenario:
    """The scenario in an uploaded file, validated like ``returnsim run``; nothing is written.

    ``filename`` is only a label: it must be a bare ``.toml`` name. The file
    must be at most :data:`MAX_UPLOAD_BYTES`, UTF-8 TOML that the scenario
    validator accepts, with at most :data:`MAX_HOUSEHOLDS` households
    (:data:`MAX_AGENT_HOUSEHOLDS` for the per-agent engine). Anything else
    raises InputError, one line naming the file, the key and what is allowed.
    """
    shown = _shown(filename)
    if not isinstance(filename, str) or not filename.lower().endswith(".toml"):
        raise InputError(f"upload {shown}: not a scenario file (give a .toml file)")
    if not _plain_name(filename[:-5]):
        raise InputError(
            f"upload {shown}: not a plain file name (no folders, hidden files or control "
            f"characters; at most {MAX_NAME} characters)"
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(
            f"upload {filename}: {len(data):,} bytes or more is too large "
            f"(a scenario file of at most {MAX_UPLOAD_BYTES // 1024} KB)"
        )
    raw = tomlfile.loads(bytes(data), source=f"upload {filename}", what="a scenario")
    spec = from_dict(raw, source=f"upload {filename}")
    cap = MAX_AGENT_HOUSEHOLDS if spec["scenario.engine"] == "agents" else MAX_HOUSEHOLDS
    count = spec["households.count"]
    if count > cap:
        engine = " with engine = 'agents'" if cap == MAX_AGENT_HOUSEHOLDS else ""
        raise InputError(
            f"upload {filename}: households.count = {count:,} is not allowed on this server"
            f"{engine} (at most {cap:,})"
        )
    return spec


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


def check_seed(text: Any) -> int | None:
    """The seed typed by a participant; None when empty; InputError if not a whole number >= 0."""
    typed = str(text).strip() if isinstance(text, str | int) and not isinstance(text, bool) else "?"
    if not typed:
        return None
    high = BY_KEY["scenario.seed"].high
    try:
        seed = int(typed) if len(typed) <= 25 else -1
    except ValueError:
        seed = -1
    if not 0 <= seed <= high:
        raise InputError(f"Seed: {_shown(text)} is not allowed (a whole number from 0 to {high})")
    return seed


def parse_seed(text: Any, default: int) -> int:
    """The seed typed by a participant; ``default`` when empty or not a whole number >= 0."""
    try:
        seed = check_seed(text)
    except InputError:
        return default
    return default if seed is None else seed


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
    name = f"{model.scenario_name} (uploaded)" if model.uploaded else model.scenario_name
    parts = [f"{name}, seed {model.seed}"]
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
    value. Values come from a browser, so each passes :meth:`Control.clamp`
    (and the seed :func:`check_seed`) first: a refused one keeps the
    scenario's value and leaves a line in ``notes``. ``base`` is a scenario
    given directly (an upload); ``scenario_name`` is then only its label.
    Without a ``scenario_name``, the class's :attr:`default_name` and
    :attr:`default_base` are used (the page makes a subclass per scenario,
    see ``app.model_class``).
    The run stops at the scenario's last month: a Step after it does nothing.

    It remembers last month's violence and occupancy for the story of the
    month. ``lock`` is held while a month runs; views hold it while they
    read the model, so Mesa's threaded play never draws a half-updated month.
    """

    default_name = "baseline"
    default_base: Scenario | None = None

    def __init__(
        self,
        *,
        scenario_name: str | None = None,
        base: Scenario | None = None,
        seed: str | int = "",
        **settings: Any,
    ) -> None:
        """``settings``: a value per control of :data:`CONTROLS` by name (its slider's unit)."""
        self.lock = threading.RLock()
        self.notes: list[str] = []
        if scenario_name is None:
            scenario_name, base = self.default_name, base or self.default_base
        #: whether the scenario was uploaded (else it is the folder's ``scenario_name``)
        self.uploaded = base is not None
        if base is None:
            base = load_named(scenario_name)
        unknown = sorted(set(settings) - set(BY_NAME))
        if unknown:
            raise TypeError(
                f"WorkshopModel: no control {unknown[0]!r} (controls: {', '.join(BY_NAME)})"
            )
        values: dict[str, Any] = {}
        for name, x in settings.items():
            if x is None:
                continue
            try:
                values[name] = BY_NAME[name].clamp(x)
            except InputError as exc:
                self.notes.append(f"{exc}; the scenario's value is used")
        try:
            chosen = check_seed(seed)
        except InputError as exc:
            self.notes.append(f"{exc}; the scenario's seed is used")
            chosen = None
        changes = overrides(base, values, base["scenario.seed"] if chosen is None else chosen)
        count = changes.get("households.count", base["households.count"])
        if base["scenario.engine"] == "agents" and count > MAX_AGENT_HOUSEHOLDS:
            changes["households.count"] = MAX_AGENT_HOUSEHOLDS
        spec = base.with_overrides(changes, origin="workshop") if changes else base
        limits.check(spec)  # an entry point: refuse a page too large for this machine
        super().__init__(spec)
        self.scenario_name = scenario_name
        self.base = base
        self.settings = {**control_values(base), **values}
        self.prev_events = self.violence.events.copy()
        self.prev_households = self.tally.households.copy()
        #: axes positions of each chart, computed once per run (see components.png_with_layout)
        self.layouts: dict[str, list[Any]] = {}
        counted_step = self.step  # Mesa's: counts the month, then calls WorkshopModel.step

        def step_until_the_end() -> None:
            if not self.finished:
                counted_step()

        self.step = step_until_the_end

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


def _signature_from_controls() -> None:
    """Give ``WorkshopModel.__init__`` one keyword per control, as Mesa's viz reads it (the
    controls are listed once, in :data:`CONTROLS`)."""
    init = WorkshopModel.__init__
    sig = inspect.signature(init)
    fixed = [p for p in sig.parameters.values() if p.kind != inspect.Parameter.VAR_KEYWORD]
    per_control = [
        inspect.Parameter(c.name, inspect.Parameter.KEYWORD_ONLY, default=None) for c in CONTROLS
    ]
    init.__signature__ = sig.replace(parameters=[*fixed, *per_control])


_signature_from_controls()
