"""Ensembles (returnsim.ensemble, returnsim run --seeds K): a scenario on K seeds, median
and 50%/90% bands by month, the same numbers as the K runs made one by one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from returnsim import ReturnModel, cli, ensemble
from returnsim.scenario import load

REPO = Path(__file__).absolute().parents[1]
BASELINE = REPO / "scenarios" / "baseline.toml"
SIZE = {"households.count": 800, "scenario.months": 24}


def test_bands_are_the_quantiles_of_the_runs_made_one_by_one() -> None:
    spec = load(BASELINE, SIZE)
    ens = ensemble.run(spec, seeds=[5, 6, 7, 8])
    bands = ens.bands()
    last = bands[(bands["column"] == "returned") & (bands["month"] == 24)].iloc[0]
    alone = []
    for seed in (5, 6, 7, 8):
        m = ReturnModel(spec, rng=seed)
        m.run()
        alone.append(m.datacollector.get_model_vars_dataframe()["returned"].iloc[-1])
    assert last["median"] == pytest.approx(np.median(alone))
    assert last["q05"] == pytest.approx(np.quantile(alone, 0.05))
    assert (bands["q05"] <= bands["median"] + 1e-9).all()
    assert (bands["median"] <= bands["q95"] + 1e-9).all()
    assert ens.summary()["seeds"] == [5, 6, 7, 8]
    assert ens.summary()["returned"]["median"] == pytest.approx(
        np.median([s["returned"] for s in ens.summaries])
    )


def test_run_seeds_writes_the_ensemble(tmp_path: Path, capsys) -> None:
    out = tmp_path / "ens"
    argv = ["run", str(BASELINE), "--households", "800", "--steps", "24", "--seed", "3"]
    assert cli.main([*argv, "--seeds", "3", "--out", str(out)]) == 0
    assert "Over 3 seeds: back home" in capsys.readouterr().out
    bands = pd.read_csv(out / "ensemble.csv")
    assert list(bands.columns) == ["month", "column", "q05", "q25", "median", "q75", "q95"]
    assert set(bands["month"]) == set(range(25)) and "returned" in set(bands["column"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ensemble"]["seeds"] == [3, 4, 5]
    assert json.loads((out / "ensemble.json").read_text()) == summary["ensemble"]
    assert (out / "ensemble.png").read_bytes()[:4] == b"\x89PNG"
    # the run folder's own files are the first seed's run
    single = tmp_path / "one"
    assert cli.main([*argv, "--out", str(single)]) == 0
    assert (single / "timeseries.csv").read_text() == (out / "timeseries.csv").read_text()
    # the same command, the same bands
    again = tmp_path / "again"
    assert cli.main([*argv, "--seeds", "3", "--out", str(again)]) == 0
    assert (again / "ensemble.csv").read_text() == (out / "ensemble.csv").read_text()


def test_a_bad_seed_count_is_one_line(capsys) -> None:
    assert cli.main(["run", str(BASELINE), "--seeds", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--seeds" in err[0]
