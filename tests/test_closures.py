"""Dated closures of places, roads and borders (shocks.py, as Flee's closures.csv): each
changes who moves where on its dates and not before or after. Paired seeds, the baseline
with and without the closure, households' moves read month by month."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from returnsim import ReturnModel
from returnsim.cli import main
from returnsim.scenario import from_dict, load

REPO = Path(__file__).absolute().parents[1]
BASELINE = REPO / "scenarios" / "baseline.toml"
SIZE = {"households.count": 3000, "scenario.months": 36}


def moves(over: dict, *, spec=None, seed: int = 42) -> tuple[ReturnModel, np.ndarray]:
    """The model, and each household's place at the end of months 0..36 (rows)."""
    m = ReturnModel(spec or load(BASELINE, {**SIZE, **over}), rng=seed)
    where = [m.pop.place.copy()]
    while m.running:
        m.step()
        where.append(m.pop.place.copy())
    return m, np.array(where)


def crossings(m: ReturnModel, where: np.ndarray, into_abroad: bool) -> np.ndarray:
    """Households crossing the border in each month (row t: during month t)."""
    abroad = m.places.abroad[where]
    crossed = (~abroad[:-1] & abroad[1:]) if into_abroad else (abroad[:-1] & ~abroad[1:])
    return np.concatenate([[0], crossed.sum(axis=1)])


@pytest.mark.parametrize("seed", [42, 7])
def test_a_closed_border_turns_back_arrivals_only_while_it_is_closed(seed: int) -> None:
    m0, w0 = moves({}, seed=seed)
    m1, w1 = moves({"borders.entry": [[6, 0], [18, 1]]}, seed=seed)
    open_, shut = crossings(m0, w0, True), crossings(m1, w1, True)
    assert open_[6:18].sum() > 20 and shut[6:18].sum() == 0
    assert shut[:6].tolist() == open_[:6].tolist()  # identical until the closure
    assert shut[18:].sum() > 0  # people cross again once it opens
    # returns over the border stay open: refugees keep coming home
    assert crossings(m1, w1, False)[6:18].sum() > 0


@pytest.mark.parametrize("seed", [42, 7])
def test_a_border_closed_to_exits_keeps_refugees_from_coming_home(seed: int) -> None:
    m0, w0 = moves({}, seed=seed)
    m1, w1 = moves({"borders.exit": [[12, 0]]}, seed=seed)
    assert crossings(m0, w0, False)[12:].sum() > 20
    assert crossings(m1, w1, False)[12:].sum() == 0
    assert m1.count(2) > m0.count(2)  # more remain refugees at the end (Status.REFUGEE)


def test_a_camp_that_opens_at_a_date_takes_nobody_in_before() -> None:
    m0, w0 = moves({})
    _, w1 = moves({"places.camp.open": [[0, 0], [12, 1]]})
    camp = m0.places.index["camp"]

    def arrivals(where: np.ndarray) -> np.ndarray:  # row t: during month t
        return np.concatenate([[0], ((where[1:] == camp) & (where[:-1] != camp)).sum(axis=1)])

    assert arrivals(w0)[:12].sum() > 20 and arrivals(w1)[:12].sum() == 0
    assert arrivals(w1)[12:].sum() > 0
    # those kept out went elsewhere in the country instead
    capital = m0.places.index["capital"]
    assert (w1[12] == capital).sum() > (w0[12] == capital).sum()


def test_a_closed_road_is_not_taken_and_returns_go_round_it() -> None:
    raw = load(BASELINE, SIZE).to_dict()
    for r in raw["routes"]:
        if {r["from"], r["to"]} == {"north", "camp"}:
            r["open"] = [[0, 0], [24, 1]]
    _, w1 = moves({}, spec=from_dict(raw, source="<test>"))
    m0, w0 = moves({})
    north, camp = (m0.places.index[n] for n in ("north", "camp"))

    def flights(where: np.ndarray) -> np.ndarray:  # row t: during month t
        return np.concatenate([[0], ((where[:-1] == north) & (where[1:] == camp)).sum(axis=1)])

    assert flights(w0)[:24].sum() > 20 and flights(w1)[:24].sum() == 0
    assert flights(w1)[24:].sum() > 0
    # while closed, the journey home from the camp is the way round, through the capital
    km = {frozenset((r["from"], r["to"])): r["km"] for r in raw["routes"]}
    m = ReturnModel(from_dict(raw, source="<test>"), rng=1)
    m.step()
    around = km[frozenset(("camp", "capital"))] + km[frozenset(("capital", "north"))]
    assert m.places.dist_km[camp, north] == pytest.approx(around)
    assert m0.places.dist_km[camp, north] == km[frozenset(("north", "camp"))]


@pytest.mark.parametrize(
    "setting, named",
    [
        ("places.camp.open=[[0, 0.5]]", "places.camp.open"),
        ("borders.entry=[[3, 1], [2, 0]]", "borders.entry"),
        ("borders.exit=[[3, 2]]", "borders.exit"),
    ],
)
def test_a_bad_closure_stops_with_one_line(tmp_path: Path, capsys, setting, named) -> None:
    out = tmp_path / "run"
    code = main(["run", str(BASELINE), "--set", setting, "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and named in err[0] and "0 or 1" in err[0]
    assert not out.exists()


def test_closures_survive_the_settings_export() -> None:
    """The workshop's TOML export (scenario_toml.dumps) keeps every closure."""
    import tomllib

    from returnsim import scenario_toml

    over = {"places.camp.open": [[0, 0], [12, 1]], "borders.entry": [[3, 0]]}
    raw = load(BASELINE, over).to_dict()
    raw["routes"][0]["open"] = [[2, 0], [5, 1]]
    raw["routes"][1]["closed_months"] = [6, 7, 8]
    spec = from_dict(raw)
    assert from_dict(tomllib.loads(scenario_toml.dumps(spec))).digest() == spec.digest()


def _seasonal(months: list[int], start_month: int = 1) -> dict:
    raw = load(BASELINE, {**SIZE, "scenario.start_month": start_month}).to_dict()
    for r in raw["routes"]:
        if {r["from"], r["to"]} == {"north", "camp"}:
            r["closed_months"] = months
    return raw


def test_a_road_closed_in_the_rainy_season_is_not_taken_then_every_year() -> None:
    # June to September closed; month 0 is January
    _, w1 = moves({}, spec=from_dict(_seasonal([6, 7, 8, 9]), source="<test>"))
    m0, w0 = moves({})
    north, camp = (m0.places.index[n] for n in ("north", "camp"))
    flights = [
        np.concatenate([[0], ((w[:-1] == north) & (w[1:] == camp)).sum(axis=1)]) for w in (w0, w1)
    ]
    rainy = np.isin(np.arange(37) % 12 + 1, [6, 7, 8, 9])
    assert flights[0][rainy].sum() > 0 and flights[1][rainy].sum() == 0
    assert flights[1][~rainy].sum() > 0
    # the calendar follows scenario.start_month (that of month 0): with month 0 in June,
    # months 1-3 (July to September) and 12-13 (June, July) are the rains
    m = ReturnModel(from_dict(_seasonal([6, 7, 8, 9], start_month=6), source="<test>"), rng=1)
    passable = []
    for _ in range(13):
        m.step()
        passable.append(bool(m.shocks.caps.passable[north, m.places.nbr[north] == camp].all()))
    assert passable == [False] * 3 + [True] * 8 + [False] * 2


def _rainy_roads_open(over: dict) -> list[bool]:
    """Month by month of the first year, whether the north-camp road closed from June to
    September is passable."""
    raw = _seasonal([6, 7, 8, 9])
    spec = from_dict(raw, source="<test>").with_overrides(over)
    m = ReturnModel(spec, rng=1)
    north, camp = (m.places.index[n] for n in ("north", "camp"))
    passable = []
    for _ in range(12):
        m.step()
        passable.append(bool(m.shocks.caps.passable[north, m.places.nbr[north] == camp].all()))
    return passable


def test_the_missions_engineers_keep_a_corridor_road_open_through_the_rains() -> None:
    """An escorted corridor's road stays passable in the rainy season while the mission's
    troops are at either end; a corridor without troops, or troops off the corridor, do not
    open it."""
    rains = [m in (6, 7, 8, 9) for m in range(2, 14)]  # months 1..12 are February..January
    zone = {"peacekeeping.deploy_month": 0, "peacekeeping.safe_zones": ["north"]}
    corridor = {**zone, "peacekeeping.corridors": ["north"]}
    assert _rainy_roads_open({}) == [not r for r in rains]
    assert _rainy_roads_open(corridor) == [True] * 12
    no_troops = {**corridor, "peacekeeping.troops": 0, "peacekeeping.police": 0}
    assert _rainy_roads_open(no_troops) == [not r for r in rains]
    assert _rainy_roads_open(zone) == [not r for r in rains]
    # households take it: flights from north to the camp in the rains
    spec = from_dict(_seasonal([6, 7, 8, 9]), source="<test>")
    flights = []
    for over in (zone, corridor):
        m, w = moves({}, spec=spec.with_overrides(over))
        north, camp = (m.places.index[n] for n in ("north", "camp"))
        rainy = np.isin(np.arange(1, 37) % 12 + 1, [6, 7, 8, 9])
        flights.append((((w[:-1] == north) & (w[1:] == camp)).sum(axis=1))[rainy].sum())
    assert flights[0] == 0 < flights[1]


def test_a_road_closed_by_the_rains_stops_aid_to_a_place_beyond_it() -> None:
    """Supplies need the road too: a camp reached from the hub only by a road closed in the
    rains gets no aid in those months (logistics)."""
    raw = load(BASELINE, {**SIZE, "aid.monthly_budget": 1e9}).to_dict()
    for r in raw["routes"]:
        if "camp" in (r["from"], r["to"]):
            r["closed_months"] = [3, 4]
    m = ReturnModel(from_dict(raw, source="<test>"), rng=1)
    camp = m.places.index["camp"]
    cover = {}
    for _ in range(8):
        m.step()
        cover[m.steps] = float(m.places.aid_coverage[camp])
    # month 0 is January: months 2 and 3 are March and April
    assert cover[2] == cover[3] == 0.0 < min(cover[1], *(cover[t] for t in range(4, 9)))


@pytest.mark.parametrize("months", ["[0]", "[13]", "[3, 3]", '["may"]'])
def test_a_bad_season_stops_with_one_line(tmp_path: Path, capsys, months: str) -> None:
    spec = tmp_path / "s.toml"
    text = BASELINE.read_text().replace(
        'from = "north"\nto = "camp"', f'from = "north"\nto = "camp"\nclosed_months = {months}', 1
    )
    assert "closed_months" in text
    spec.write_text(text)
    out = tmp_path / "run"
    code = main(["run", str(spec), "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "closed_months" in err[0] and "1 to 12" in err[0]
    assert not out.exists()


@pytest.mark.parametrize(
    "name",
    ["baseline", "burundi", "liberia", "somalia", "drc_kivu", "border_standoff", "full_response"],
)
def test_onward_movement_abroad_in_every_shipped_scenario(name: str) -> None:
    """Every shipped scenario has a place abroad, and displaced households move on to it
    (onward_abroad); closing the border's entry stops all of those moves except along
    roads between places abroad."""
    path = REPO / "scenarios" / f"{name}.toml"

    def onward(over: dict) -> tuple[ReturnModel, np.ndarray]:
        m = ReturnModel(load(path, {"households.count": 1500, **over}), rng=1)
        m.run()
        ts = m.datacollector.get_model_vars_dataframe()
        assert (ts["onward_abroad"] <= ts["secondary_moves"]).all()
        return m, ts["onward_abroad"].to_numpy()

    m, open_ = onward({})
    assert open_.sum() > 0
    _, shut = onward({"borders.entry": [[0, 0]]})
    pl = m.places
    between_abroad = any(
        pl.abroad[i] and pl.abroad[j] for i in range(pl.n) for j in pl.nbr[i] if j >= 0
    )
    assert shut.sum() < open_.sum() or between_abroad
    assert shut.sum() == 0 or between_abroad
