"""Regenerate the health figures of docs/ODD.md (3.4, Demography and health).

baseline, 5,000 households x 60 months, seeds 1 and 2, with and without clinics, water and
sanitation and measles vaccination at 0.9 coverage: the crude mortality rate in camps over
the war months (1-17), deaths over the run. Run: python scripts/health_figures.py
"""

from __future__ import annotations

from pathlib import Path

from returnsim import ReturnModel
from returnsim.scenario import load

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
HEALTH = {
    "health.clinic_coverage": 0.9,
    "health.wash_coverage": 0.9,
    "health.vaccination_coverage": 0.9,
}

for seed in (1, 2):
    for label, over in (("without health levers", {}), ("with them", HEALTH)):
        spec = load(BASELINE, {"households.count": 5000, "scenario.months": 60, **over})
        m = ReturnModel(spec, rng=seed)
        m.run()
        ts = m.datacollector.get_model_vars_dataframe()
        war = ts[(ts.month >= 1) & (ts.month < 18)]
        print(
            f"seed {seed}, {label}: camps CMR in war {war.cmr_camps.mean():.2f}, "
            f"displaced {war.cmr_displaced.mean():.2f}, under-5 {war.u5mr_displaced.mean():.2f} "
            f"per 10,000 a day; deaths {m.demography.summary()['deaths_total']:,}, "
            f"births {m.demography.births_total:,}, cost {m.levers['health'].spent_total:,.0f}"
        )
