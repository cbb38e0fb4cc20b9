"""Coverage-guided fuzzing of returnsim's input parsers with atheris (libFuzzer for Python).

    python fuzz/parsers.py TARGET [libFuzzer options]     (or: make fuzz)

TARGET is one of: scenario (a scenario file's bytes), spec (an experiment spec's bytes),
target (a calibration target CSV's bytes), override (a --set KEY=VALUE text), upload (a
scenario uploaded to the workshop server). Every input must give a valid object or one
``InputError`` line; any other exception is a crash that libFuzzer reports with the input
that caused it (saved as crash-*). The corpus starts from the shipped files and grows in
out/fuzz/TARGET/, never in the source folders. The same targets run under hypothesis in
tests/test_fuzz_parsers.py on every ``make test``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[1]

with atheris.instrument_imports(include=["returnsim"]):
    from returnsim import cli
    from returnsim.calibration.target import read_target
    from returnsim.errors import InputError
    from returnsim.experiments.spec import from_dict as spec_from_dict
    from returnsim.scenario import from_dict, load
    from returnsim.viz import workshop

TMP = Path(tempfile.mkdtemp(prefix="returnsim-fuzz-"))
BASELINE = load(ROOT / "scenarios" / "baseline.toml")


def _toml(data: bytes) -> dict | None:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def scenario(data: bytes) -> None:
    raw = _toml(data)
    if raw is not None:
        from_dict(raw, source="fuzz.toml")


def spec(data: bytes) -> None:
    raw = _toml(data)
    if raw is not None:
        spec_from_dict(raw, path=ROOT / "experiments" / "fuzz.toml")  # relative paths resolve


def target(data: bytes) -> None:
    path = TMP / "target.csv"
    path.write_bytes(data)
    read_target(path)


def override(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(200)
    import argparse

    args = argparse.Namespace(overrides=[text], seed=None, steps=None, households=None)
    BASELINE.with_overrides(cli.overrides_from(args))


def upload(data: bytes) -> None:
    workshop.load_uploaded("fuzz.toml", data)


TARGETS: dict[str, tuple[Callable[[bytes], None], list[Path]]] = {
    "scenario": (scenario, sorted(ROOT.glob("scenarios/*.toml"))),
    "spec": (spec, sorted(ROOT.glob("experiments/*.toml"))),
    "target": (target, sorted(ROOT.glob("../shared/data/*.csv"))),
    "override": (override, []),
    "upload": (upload, sorted(ROOT.glob("scenarios/*.toml"))),
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: python fuzz/parsers.py {{{','.join(TARGETS)}}} [libFuzzer options]")
    name = sys.argv[1]
    fn, seeds = TARGETS[name]
    corpus = ROOT / "out" / "fuzz" / name
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        shutil.copy(seed, corpus / seed.name)

    def one(data: bytes) -> None:
        try:
            fn(data)
        except InputError as exc:
            if "\n" in str(exc) or not str(exc).strip():
                raise AssertionError(f"not one line: {exc!r}") from None

    atheris.Setup([sys.argv[0], *sys.argv[2:], str(corpus)], one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
