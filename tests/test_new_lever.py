"""Adding a lever is one file listed once: the copy of the package with a throwaway lever
prices and funds it, sweeps it as a lever, documents it, adds its household column and
its contribution to the places, with no other edit."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).absolute().parents[1]

LEVER = '''"""Cash for work: wages for public works (a throwaway lever of the test suite)."""

from returnsim.interventions.base import Lever, window
from returnsim.param import Param

PARAMS = (
    *window("cash_for_work", "cash for work"),
    Param(
        "cash_for_work.monthly_budget", 0.0, "USD per month", "Wages paid", "test", 0.0, 1e9
    ),
)


class CashForWork(Lever):
    """Wages for public works where the lever operates."""

    key = "cash_for_work"
    phase = 65
    priority = 15
    columns = {"wage_months": "uint8"}  # noqa: RUF012

    def __init__(self, model) -> None:
        super().__init__(model)
        self.effect = model.places.contribution(self.key)

    def request(self, month: int) -> float:
        return self.p.monthly_budget

    def apply(self, month: int, funds: float) -> float:
        pop = self.model.pop
        if funds > 0:
            pop.wage_months[self.mask[pop.place]] += 1
            self.effect.livelihood[self.places] = 0.01
        return funds
'''

PROBE = """
import importlib.util, json, sys
from returnsim import ReturnModel, load
from returnsim.experiments.spec import default_kind
from returnsim.interventions import DEFAULT_PRIORITIES, LEVERS
from returnsim.parameters import BY_KEY
spec = importlib.util.spec_from_file_location("odd", sys.argv[1])
odd = importlib.util.module_from_spec(spec)
spec.loader.exec_module(odd)
model = ReturnModel(load(sys.argv[2], {"households.count": 100, "scenario.months": 3,
                                       "cash_for_work.monthly_budget": 1000.0}))
model.run()
ts = model.datacollector.get_model_vars_dataframe()
print(json.dumps({
    "phase_order": [c.key for c in LEVERS],
    "priorities": list(DEFAULT_PRIORITIES),
    "choices": list(BY_KEY["budget.priorities"].choices),
    "spent": model.levers["cash_for_work"].spent_total,
    "column": float(ts["spending_cash_for_work"].sum()),
    "kind": default_kind("cash_for_work.monthly_budget"),
    "documented": "cash_for_work" in odd.levers() and "`cash_for_work`" in odd.phases(),
    "wage_months": int(model.pop.wage_months.sum()),
    "livelihood_added": float(
        (model.places.base_livelihood - model.places.scenario_base["livelihood"]).max()
    ),
}))
"""


def test_a_new_lever_is_one_file_listed_once(tmp_path: Path) -> None:
    package = tmp_path / "src" / "returnsim"
    shutil.copytree(
        REPO / "src" / "returnsim", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    (package / "interventions" / "cash_for_work.py").write_text(LEVER, encoding="utf-8")
    init = package / "interventions" / "__init__.py"
    text = init.read_text(encoding="utf-8")
    assert text.count('    "resettlement",\n)') == 1
    init.write_text(
        text.replace('    "resettlement",\n)', '    "resettlement",\n    "cash_for_work",\n)')
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            str(REPO / "scripts" / "odd.py"),
            str(REPO / "scenarios" / "baseline.toml"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "src"), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.splitlines()[-1])
    order = got["phase_order"]
    assert order.index("livelihood") < order.index("cash_for_work") < order.index("education")
    assert got["priorities"][:2] == ["protection", "cash_for_work"]  # priority 15: second
    assert "cash_for_work" in got["choices"]
    assert got["spent"] == 3000.0 and got["column"] == 3000.0  # funded and priced, 3 months
    assert got["kind"] == "lever" and got["documented"]
    assert got["wage_months"] > 0  # its household column, declared in its file
    assert abs(got["livelihood_added"] - 0.01) < 1e-12  # its contribution to the places
