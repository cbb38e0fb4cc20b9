"""docs/ODD.md stays true to the code: generated blocks current, every parameter listed."""

import importlib.util
from pathlib import Path

from returnsim.parameters import PARAMS

_spec = importlib.util.spec_from_file_location(
    "odd", Path(__file__).absolute().parents[1] / "scripts" / "odd.py"
)
odd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(odd)


def test_generated_blocks_are_current() -> None:
    text = odd.DOC.read_text(encoding="utf-8")
    assert odd.render(text) == text, "run `python scripts/odd.py` to refresh docs/ODD.md"


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


def test_reliability_page_names_tests_that_exist() -> None:
    """docs/reliability.md: every test it cites is defined, and its corpus size is the corpus's."""
    import re
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "reliability.md").read_text(encoding="utf-8")
    cited, source = 0, ""
    for cell in re.findall(r"`(tests/\w+\.py)?::(\w+)`|`(tests/\w+\.py)`", text):
        path, name, whole = cell
        source = path or whole or source  # a bare ::name belongs to the file cited before it
        body = (root / source).read_text(encoding="utf-8")
        if name:
            assert re.search(rf"^def {name}\(", body, re.M), f"{source}::{name}"
            cited += 1
    assert cited >= 30
    sys.path.insert(0, str(root / "tests"))
    import test_bad_input_corpus as corpus

    assert f"| {len(corpus.CASES)} malformed cases across" in text
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    assert f"a corpus of {len(corpus.CASES)} malformed command lines" in readme


_api = importlib.util.spec_from_file_location(
    "api_docs", Path(__file__).absolute().parents[1] / "scripts" / "api_docs.py"
)
api_docs = importlib.util.module_from_spec(_api)
_api.loader.exec_module(api_docs)


def test_the_api_reference_is_current_and_covers_every_public_call() -> None:
    import returnsim
    from returnsim import api

    text = api_docs.DOC.read_text(encoding="utf-8")
    assert api_docs.render() == text, "run `python scripts/api_docs.py` to refresh docs/api.md"
    for name in ("run", "sweep", "compare", "optimize", "calibrate"):
        assert f"### `returnsim.{name}`" in text and getattr(returnsim, name) is getattr(api, name)
    for cls in api.__all__:
        if cls[0].isupper():
            assert f"### `{cls}`" in text
