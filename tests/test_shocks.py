"""Camp closures, assistance cuts and droughts (shocks.py): they act on places, on schedule."""

from __future__ import annotations

import numpy as np
import pytest

from returnsim import ReturnModel, cli
from returnsim.errors import InputError
from returnsim.households import Status

PEACE = {"conflict.schedule": [[0, 1.0], [6, 0.1]], "scenario.months": 36}


def camp(model: ReturnModel) -> int:
    return model.places.index["refugee_camp"]


def test_nothing_changes_before_the_first_scheduled_month(run_model) -> None:
    _, plain = run_model(PEACE)
    _, shocked = run_model(
        {**PEACE, "camps.capacity": [[30, 0.01]], "drought.schedule": [[30, 0.5]]}
    )
    assert plain.iloc[:30].equals(shocked.iloc[:30])
    assert not plain.iloc[30:].equals(shocked.iloc[30:])


def test_camp_closure_pushes_refugees_out_and_home(small_baseline) -> None:
    """Paired runs, identical to month 24; then the camp closes in one of them."""
    fates = []
    for schedule in ([], [[24, 0.001]]):
        model = ReturnModel(
            small_baseline.with_overrides({**PEACE, "camps.capacity": schedule}), rng=1
        )
        model.run_for(24)
        there = np.flatnonzero(model.pop.place == camp(model))
        model.run_for(8)
        status = model.pop.status[there]
        gone_home = np.isin(status, (Status.RETURNED, Status.SETTLED_ELSEWHERE))
        fates.append((int((model.pop.place[there] == camp(model)).sum()), int(gone_home.sum())))
        if schedule:
            # the real capacity in simulated households (households.population)
            assert model.places.capacity[camp(model)] == pytest.approx(8000 * 0.001 / model.weight)
    (stay0, home0), (stay1, home1) = fates
    assert stay1 < 0.8 * stay0
    assert home1 > home0


def test_assistance_cut_caps_services_and_livelihood_then_they_recover(small_baseline) -> None:
    spec = small_baseline.with_overrides({"camps.assistance": [[6, 0.25], [18, 1.0]]})
    model = ReturnModel(spec, rng=1)
    c = camp(model)
    base_s, base_l = model.places.base_services[c], model.places.base_livelihood[c]
    model.run_for(12)
    assert model.places.services[c] <= 0.25 * base_s + 1e-12
    assert model.places.livelihood[c] <= 0.25 * base_l + 1e-12
    low = model.places.services[c]
    model.run_for(18)
    assert model.places.services[c] > low  # recovers at dynamics.recovery_rate


def test_drought_holds_livelihood_at_home_down_and_delays_return(run_model) -> None:
    # The value-of-home channel alone: flight for want (which a drought also causes, and
    # whose returns would add to the count) is switched off here and tested in test_need.py.
    alone = {**PEACE, "decision.deprivation_review": 0.0}
    drought = {**alone, "drought.schedule": [[8, 0.7], [30, 0.0]]}
    m0, ts0 = run_model(alone)
    m1, ts1 = run_model(drought)
    o = m1.places.origins
    assert (ts1["mean_livelihood"].iloc[10:30] < ts0["mean_livelihood"].iloc[10:30]).all()
    assert ts1["new_returns"].iloc[8:30].sum() < ts0["new_returns"].iloc[8:30].sum()
    # Camps and towns are not struck.
    others = np.setdiff1d(np.arange(m1.places.n), o)
    assert np.allclose(m1.places.base_livelihood[others], m0.places.base_livelihood[others])


def test_targets_default_to_refugee_camps_and_home_areas(small_baseline) -> None:
    model = ReturnModel(small_baseline, rng=1)
    assert [model.places.names[i] for i in model.shocks.camps] == ["refugee_camp"]
    assert list(model.shocks.drought_places) == list(model.places.origins)
    named = small_baseline.with_overrides({"camps.targets": ["camp"], "drought.targets": ["east"]})
    model = ReturnModel(named, rng=1)
    assert [model.places.names[i] for i in model.shocks.camps] == ["camp"]
    assert [model.places.names[i] for i in model.shocks.drought_places] == ["east"]


def test_closing_a_camp_without_capacity_is_a_one_line_error(small_baseline, capsys) -> None:
    with pytest.raises(InputError, match=r"refugee_camp.*no capacity limit"):
        small_baseline.with_overrides(
            {"places.refugee_camp.capacity": 0, "camps.capacity": [[3, 0.1]]}
        )
    code = cli.main(
        [
            "run",
            str(small_baseline.source),
            "--set",
            "places.refugee_camp.capacity=0",
            "--set",
            "camps.capacity=[[3, 0.1]]",
            "--steps",
            "2",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "no capacity limit" in err


@pytest.mark.parametrize(
    ("key", "value"),
    [("camps.capacity", [[3, 1.5]]), ("drought.schedule", [[5, 0.5], [2, 0.1]])],
)
def test_bad_schedules_are_rejected(small_baseline, key, value) -> None:
    with pytest.raises(InputError, match=key.replace(".", r"\.")):
        small_baseline.with_overrides({key: value})
