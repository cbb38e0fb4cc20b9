"""The state as an actor (state.py): a government that refuses humanitarian access delays
aid, an agreement signed in preparedness shortens the refusal, the home government's
consent opens organised return, and the mission needs the host state's consent. Paired
seeds, one consent changed, the direction of what people get or do asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from returnsim import ReturnModel
from returnsim.cli import main
from returnsim.scenario import load

REPO = Path(__file__).absolute().parents[1]
BASELINE = REPO / "scenarios" / "baseline.toml"
BORDER = REPO / "scenarios" / "border_standoff.toml"


def run(path: Path, over: dict, seed: int = 1) -> tuple[ReturnModel, object]:
    # no pipeline breaks: a month without aid is then a month without access
    m = ReturnModel(load(path, {"aid.pipeline_break_monthly": 0.0, **over}), rng=seed)
    m.run()
    return m, m.datacollector.get_model_vars_dataframe()


@pytest.mark.parametrize("seed", [1, 2])
def test_a_refusal_delays_aid_and_a_preparedness_agreement_shortens_it(seed: int) -> None:
    _, open_ = run(BORDER, {"state.refusal_months": 0}, seed)
    m2, refused = run(BORDER, {}, seed)  # the scenario: two months of refusal
    _, agreed = run(BORDER, {"state.preparedness_agreement": True}, seed)
    aid = {k: t["spending_aid"].to_numpy() for k, t in (("open", open_), ("refused", refused))}
    assert (aid["open"][1:3] > 0).all() and (aid["refused"][1:3] == 0).all()
    assert aid["refused"][3] > 0  # accepted in the third month
    assert agreed["spending_aid"].iloc[1] == 0 and agreed["spending_aid"].iloc[2] > 0
    # what the delay costs people: stranded households ran down more of their assets
    m0, _ = run(BORDER, {"state.refusal_months": 0, "scenario.months": 3}, seed)
    m1, _ = run(BORDER, {"scenario.months": 3}, seed)
    zone = m0.places.index["border_zone"]
    there = (m0.pop.place == zone) & (m1.pop.place == zone)
    assert there.sum() > 100
    assert m1.pop.assets[there].mean() < m0.pop.assets[there].mean()
    assert m2.state.first_refugees == 1


def test_access_refused_at_home_stops_aid_there_and_not_abroad() -> None:
    over = {"households.count": 2000, "scenario.months": 24, "aid.monthly_budget": 2e5}
    m = ReturnModel(load(BASELINE, {**over, "state.home_access": [[0, 0], [12, 1]]}), rng=1)
    home, abroad = [], []
    for _ in range(24):
        m.step()
        cover = m.places.aid_coverage
        home.append(cover[~m.places.abroad].max())
        abroad.append(cover[m.places.abroad].max())
    assert max(home[:11]) == 0.0 and max(home[12:]) > 0
    assert max(abroad[:11]) > 0


def test_organised_return_needs_the_home_governments_consent() -> None:
    over = {
        "households.count": 2000,
        "scenario.months": 36,
        "conflict.schedule": [[0, 1.0], [6, 0.05]],
        "return_package.transport_per_person": 30.0,
        "return_package.monthly_budget": 5e4,
    }
    m0, t0 = run(BASELINE, over)
    _, t1 = run(BASELINE, {**over, "state.return_operations": [[0, 0], [24, 1]]})
    assert m0.levers["return_package"].spent_total > 0
    assert t1["spending_return_package"][:24].sum() == 0
    assert t1["spending_return_package"][24:].sum() > 0
    assert t1["new_returns"][:24].sum() < t0["new_returns"][:24].sum()


def test_the_mission_leaves_when_consent_is_withdrawn() -> None:
    over = {"households.count": 2000, "scenario.months": 48}
    _, t0 = run(BASELINE, over)
    _, t1 = run(BASELINE, {**over, "state.mission_consent": [[30, 0]]})
    assert (t0["troops_deployed"][30:] > 0).all() and (t1["troops_deployed"][30:] == 0).all()
    assert (t1["troops_deployed"][:30] == t0["troops_deployed"][:30]).all()
    assert t1["violence"][31:].sum() > t0["violence"][31:].sum()
    assert t1["new_displacements"][31:].sum() >= t0["new_displacements"][31:].sum()


def test_a_bad_consent_schedule_stops_with_one_line(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    code = main(["run", str(BORDER), "--set", "state.host_access=[[0, 0.5]]", "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "state.host_access" in err[0] and "0 or 1" in err[0]
    assert not out.exists()


@pytest.mark.parametrize("seed", [1, 2])
def test_a_host_under_pressure_closes_the_camps_after_notice(seed: int) -> None:
    """Past its hosting limit the host government decides to close the refugee camps and
    closes them after the notice: refugees leave the camp, returns then are induced."""
    over = {
        "households.count": 3000,
        "scenario.months": 48,
        "conflict.schedule": [[0, 1.0], [12, 0.0]],
        "state.closure_notice_months": 6,
    }
    free, a = run(BASELINE, over, seed=seed)
    pressed, b = run(BASELINE, {**over, "state.hosting_limit": 500.0}, seed=seed)
    decided = pressed.state.closure_month
    assert free.state.closure_month is None and decided is not None and decided > 6
    camp = pressed.places.index["refugee_camp"]
    before = b["month"] < decided
    # nothing differs before the closure; after it the camp empties and returns are induced
    assert a.loc[before, "refugees"].equals(b.loc[before, "refugees"])
    assert b.loc[before, "induced_returns"].sum() == 0 < b.loc[~before, "induced_returns"].sum()
    assert pressed.tally.households[camp] < free.tally.households[camp]
    assert b["refugees"].iloc[-1] < a["refugees"].iloc[-1]
    # a limit never reached closes nothing
    never, c = run(BASELINE, {**over, "state.hosting_limit": 1e8}, seed=seed)
    assert never.state.closure_month is None and c["refugees"].equals(a["refugees"])


@pytest.mark.parametrize("seed", [1, 2])
def test_the_home_government_refuses_access_to_contested_places(seed: int) -> None:
    """Access is refused, by rule, where security falls below state.contested_security:
    no aid reaches a place in the country in a month it is that insecure, and the displaced
    who sheltered there run down more of their assets than with access granted."""
    over = {"households.count": 3000, "scenario.months": 24, "aid.monthly_budget": 1e9}
    models = []
    for floor in (0.0, 0.95):
        m = ReturnModel(
            load(
                BASELINE,
                {**over, "aid.pipeline_break_monthly": 0.0, "state.contested_security": floor},
            ),
            rng=seed,
        )
        home = ~m.places.abroad
        refused = reached = 0
        for _ in range(24):
            m.step()
            contested = home & (m.places.security < floor)
            assert (m.places.aid_coverage[contested] == 0).all()
            refused += int(contested.sum())
            reached += int((m.places.aid_coverage[home] > 0).sum())
        assert reached > 0
        models.append((m, refused))
    (m0, none), (m1, some) = models
    assert none == 0 and some > 0
    camp = m0.places.index["camp"]
    there = (m0.pop.place == camp) & (m1.pop.place == camp)
    assert there.sum() > 30
    assert m1.pop.assets[there].mean() < m0.pop.assets[there].mean()
