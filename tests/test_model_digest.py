"""The model digest: what run keys and resume checks use to keep results of different code
apart (a version string stays the same while the code changes)."""

from __future__ import annotations

import shutil
from pathlib import Path

from returnsim import version
from returnsim.experiments.runs import run_key

SOURCE = Path(version.__file__).parent


def test_the_digest_is_stable_and_covers_the_installed_package() -> None:
    d = version.model_digest()
    assert len(d) == 64 and int(d, 16) >= 0
    assert version.digest_of(SOURCE) == d


def test_a_change_to_the_model_changes_the_digest_a_change_to_the_workshop_does_not(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "returnsim"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    same = version.digest_of(copy)
    assert same == version.model_digest()
    model = copy / "model.py"
    model.write_bytes(model.read_bytes() + b"\n")
    changed = version.digest_of(copy)
    assert changed != same
    (copy / "model.py").write_bytes((SOURCE / "model.py").read_bytes())
    lever = copy / "interventions" / "aid.py"
    lever.write_bytes(lever.read_bytes().replace(b"0.5", b"0.6", 1))
    assert version.digest_of(copy) != same  # a lever is model code
    lever.write_bytes((SOURCE / "interventions" / "aid.py").read_bytes())
    app = copy / "viz" / "app.py"
    app.write_bytes(app.read_bytes() + b"\n# a comment\n")
    assert version.digest_of(copy) == same  # the workshop computes no run


def test_the_run_key_carries_the_model() -> None:
    assert run_key("s", {"a": 1}, 3) == run_key("s", {"a": 1}, 3, version.model_digest())
    assert run_key("s", {"a": 1}, 3, "0" * 64) != run_key("s", {"a": 1}, 3)
