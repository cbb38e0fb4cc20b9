"""docs/ODD.md stays true to the code: generated blocks current, every parameter listed."""

from returnsim import odd
from returnsim.parameters import PARAMS


def test_generated_blocks_are_current() -> None:
    text = odd.DOC.read_text(encoding="utf-8")
    assert odd.render(text) == text, "run `python -m returnsim.odd` to refresh docs/ODD.md"


def test_every_parameter_is_documented() -> None:
    text = odd.DOC.read_text(encoding="utf-8")
    missing = [p.key for p in PARAMS if f"`{p.key}`" not in text]
    assert not missing


def test_check_mode_detects_stale_document(tmp_path, monkeypatch) -> None:
    stale = tmp_path / "ODD.md"
    stale.write_text(
        "x\n<!-- BEGIN GENERATED: levers -->\nold\n<!-- END GENERATED: levers -->\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(odd, "DOC", stale)
    assert odd.main(["--check"]) == 1
    assert odd.main([]) == 0
    assert odd.main(["--check"]) == 0
