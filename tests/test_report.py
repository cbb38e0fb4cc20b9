"""`returnsim run --report`: the thematic report (report.md, report.html) of one run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from returnsim import ReturnModel, cli, outcomes, report
from returnsim.scenario import load

ROOT = Path(__file__).resolve().parents[1]
BORDER = str(ROOT / "scenarios" / "border_standoff.toml")
SMALL = ["--households", "300", "--steps", "18", "--seed", "5"]
TITLES = [title for _, title, _, _ in report.SECTIONS]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three runs of the border case with the same seed: two with --report, one without."""
    base = tmp_path_factory.mktemp("report")
    out = {}
    for name, extra in (("a", ["--report"]), ("b", ["--report"]), ("plain", [])):
        folder = base / name
        assert cli.main(["run", BORDER, *SMALL, "--out", str(folder), *extra]) == 0
        out[name] = folder
    return out


def _section(text: str, title: str) -> str:
    """The Markdown of one ``## title`` section."""
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def _subsection(text: str, title: str) -> str:
    start = text.index(f"### {title}\n")
    end = text.find("\n### ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def test_report_files_and_every_named_section(runs: dict[str, Path], capsys) -> None:
    folder = runs["a"]
    md = (folder / "report.md").read_text(encoding="utf-8")
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert TITLES == [
        "Access to health care",
        "Access to information",
        "Women",
        "Minors (children 0-4 and 5-17)",
        "LGBTQI+ people",
        "Persons with disabilities",
        "Older people (60+)",
    ]
    for title in TITLES:
        assert f"\n## {title}\n" in md
        assert f">{title}</h2>" in page
    for sub in ("Children 0-4", "Children 5-17", "Women (18+)", "Older people (60+)"):
        assert f"\n### {sub}\n" in md
    # What the model lacks is said, not invented.
    assert "Mortality of the displaced by month" in md and "Sphere emergency" in md
    assert "no attribute for sexual orientation or gender identity" in md


def test_section_numbers_match_the_run_folder(runs: dict[str, Path]) -> None:
    folder = runs["a"]
    md = (folder / "report.md").read_text(encoding="utf-8")
    page = (folder / "report.html").read_text(encoding="utf-8")
    groups = pd.read_csv(folder / "groups.csv")
    summary = json.loads((folder / "summary.json").read_text())
    end = groups[groups["month"] == groups["month"].max()]

    def persons(labels: list[str], statuses: list[str]) -> int:
        rows = end[end["group"].isin(labels) & end["status"].isin(statuses)]
        return int(rows["persons"].sum())

    # Children 0-4 still displaced at the end, recomputed from groups.csv.
    under5 = ["female_0-4", "male_0-4"]
    still = persons(under5, ["internally_displaced", "refugee"])
    kids = _subsection(_section(md, "Minors (children 0-4 and 5-17)"), "Children 0-4")
    assert f"| Still displaced | {still:,} |" in kids
    # Women's returned share of the ever displaced: groups.csv over summary.json by_person.
    women = ["female_18-59", "female_60+"]
    ever = sum(summary["by_person"][g]["ever_displaced"] for g in women)
    share = f"{100 * persons(women, ['returned']) / ever:.1f}%"
    assert f"| Returned, share of ever displaced | {share} |" in _section(md, "Women")
    assert f"<td>{share}</td>" in page
    # Disability: the household table carries summary.json by_group.
    row = summary["by_group"]["vulnerability"]["disability"]
    disability = _section(md, "Persons with disabilities")
    assert f"| Households | {row['households']:,} |" in disability
    assert f"{100 * row['returned_share']:.1f}%" in disability
    # Every month of the group's series is in groups.csv (the last one in the table).
    older = _subsection(_section(md, "Older people (60+)"), "Older people (60+)")
    month = int(groups["month"].max())
    disp = persons(["female_60+", "male_60+"], ["internally_displaced", "refugee"])
    assert re.search(rf"\| {month} \| {disp:,} \|", older)


def test_criteria_by_group_use_the_summary_rules() -> None:
    """The report's criteria of all ever-displaced households are summary.json's."""
    spec = load(BORDER, {"households.count": 300, "scenario.months": 12})
    model = ReturnModel(spec, rng=3)
    model.run()
    summary = outcomes.summarize(model)
    access = report.access_figures(model)
    for name, share in access["criteria"]["all"]["group"].items():
        assert share == pytest.approx(summary["durable_solutions"][name]["ever_displaced"])
    women = access["criteria"]["women"]
    assert women["households"] == summary["by_group"]["sex_of_head"]["female_head"]["households"]


def test_html_is_self_contained(runs: dict[str, Path]) -> None:
    page = (runs["a"] / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"https?://", page)
    assert "<script" not in page and "<link" not in page and "src=" not in page
    assert page.count("<svg") >= 8  # health, information and a chart per group


def test_same_seed_gives_identical_reports(runs: dict[str, Path]) -> None:
    for name in ("report.md", "report.html"):
        assert (runs["a"] / name).read_bytes() == (runs["b"] / name).read_bytes()


def test_without_report_nothing_new_is_written(runs: dict[str, Path]) -> None:
    plain = {p.name for p in runs["plain"].iterdir()}
    assert plain == {"timeseries.csv", "groups.csv", "summary.json", "run.json", "stocks.png"}
    assert {p.name for p in runs["a"].iterdir()} == plain | {"report.md", "report.html"}


def test_one_format(tmp_path: Path) -> None:
    out = tmp_path / "md"
    assert (
        cli.main(["run", BORDER, *SMALL, "--steps", "6", "--out", str(out), "--report", "md"]) == 0
    )
    assert (out / "report.md").is_file() and not (out / "report.html").exists()


@pytest.mark.parametrize("value", ["pdf", "md,docx", ""])
def test_bad_report_format_exits_2_with_one_line(tmp_path: Path, capsys, value: str) -> None:
    out = tmp_path / "bad"
    code = cli.main(["run", BORDER, *SMALL, "--out", str(out), f"--report={value}"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "--report" in err and "allowed: md, html" in err
    assert not out.exists()


def test_report_from_files_alone_says_what_is_missing(runs: dict[str, Path]) -> None:
    folder = runs["a"]
    texts = report.render(
        pd.read_csv(folder / "groups.csv"),
        pd.read_csv(folder / "timeseries.csv"),
        json.loads((folder / "summary.json").read_text()),
    )
    md = texts["report.md"]
    for title in TITLES:
        assert f"\n## {title}\n" in md
    assert "need the model's household state" in md


def test_workshop_export_offers_the_report() -> None:
    """The workshop's export builds the same report from the run so far."""
    from returnsim.viz import workshop
    from returnsim.viz.components import report_html

    model = workshop.WorkshopModel(scenario_name="border_standoff", households=300)
    model.run_for(3)
    page = report_html(model)
    for title in TITLES:
        assert f">{title}</h2>" in page
    assert not re.search(r"https?://", page)
