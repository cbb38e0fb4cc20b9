"""Shared fixtures: the baseline scenario, small enough for fast tests.

Tests may run from any working directory, so paths are resolved from this
file. Fixtures return fresh objects (function scope) because a Scenario is
a mutable dataclass and a test that changes one must not leak into others.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from returnsim import ReturnModel
from returnsim.scenario import Scenario, load

REPO = Path(__file__).absolute().parents[1]
BASELINE = REPO / "scenarios" / "baseline.toml"

#: Size of the small baseline: enough households for stable directions, fast to run.
SMALL = {"households.count": 2000, "scenario.months": 36}


@pytest.fixture(scope="session")
def baseline_path() -> Path:
    """Path of scenarios/baseline.toml."""
    return BASELINE


@pytest.fixture
def baseline() -> Scenario:
    """scenarios/baseline.toml as shipped (20,000 households, 120 months)."""
    return load(BASELINE)


@pytest.fixture
def small_baseline() -> Scenario:
    """The baseline with 2,000 households and 36 months."""
    return load(BASELINE, SMALL)


RunModel = Callable[..., tuple[ReturnModel, pd.DataFrame]]


@pytest.fixture
def run_model(small_baseline: Scenario) -> RunModel:
    """Run the small baseline with overrides; returns (model, timeseries).

    ``run_model(overrides, seed=1, scenario=None)``: ``scenario`` replaces the
    small baseline as the base the overrides apply to.
    """

    def run(
        overrides: dict[str, Any] | None = None,
        *,
        seed: int = 1,
        scenario: Scenario | None = None,
    ) -> tuple[ReturnModel, pd.DataFrame]:
        spec = (scenario or small_baseline).with_overrides(overrides or {})
        model = ReturnModel(spec, rng=seed)
        model.run()
        return model, model.datacollector.get_model_vars_dataframe()

    return run
