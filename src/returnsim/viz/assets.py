"""Put Solara's JavaScript and CSS into its local CDN cache, from the npm registry.

The browser asks the Solara server for ``/_solara/cdn/<npm spec>/<file>``;
the server answers from its cache folder, else fetches from a public CDN
(which fails offline, and which :mod:`returnsim.viz` switches off). This
step fills the cache ahead of time: for each npm spec the installed Solara
requests (read from its sources), ``npm pack`` the package and unpack it into
a folder named exactly as requested. Folders already there are skipped.

Run ``returnsim assets`` (``make bootstrap`` does) while
connected; ``--check`` only reports what is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from returnsim.viz import assets_dir

#: Solara source files (relative to the solara package) that name CDN packages.
SOURCES = (
    "server/templates/solara.html.j2",
    "server/settings.py",
    "widgets/vue/gridlayout.vue",
    "widgets/vue/vegalite.vue",
)

#: Used when the sources cannot be read (as checked with solara 1.64).
FALLBACK = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "vega@5",
    "vega-lite@5",
    "vega-embed@6",
)

#: Files every page needs; their absence means the page would be blank.
REQUIRED = (
    "@widgetti/solara-vuetify-app@10.1.1/dist/main8.css",
    "@widgetti/solara-vuetify-app@10.1.1/dist/fonts.css",
    "@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
    "requirejs@2.3.6/require.js",
    "font-awesome@4.5.0/css/font-awesome.min.css",
)

_SPEC = re.compile(
    r"(?:\{\{\s*cdn\s*\}\}|\$\{this\.getCdn\(\)\}|fontawesome_path: str = \")"
    r"/((?:@[\w.-]+/)?[\w.-]+@[\w.^~-]+)/"
)

#: Marker written into a package folder once it is complete.
DONE = ".returnsim-complete"


class AssetError(Exception):
    """The assets cannot be installed (one line for the user)."""


def solara_root() -> Path | None:
    """Folder of the installed solara package, or None."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("solara")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def required_specs(root: Path | None = None) -> list[str]:
    """npm specs the installed Solara asks its CDN proxy for (vuetify 3 builds excluded)."""
    root = root if root is not None else solara_root()
    found: list[str] = []
    for rel in SOURCES:
        path = root / rel if root else None
        if path is None or not path.is_file():
            return list(FALLBACK)
        for spec in _SPEC.findall(path.read_text(encoding="utf-8")):
            if "vuetify3" not in spec and spec not in found:
                found.append(spec)
    return found or list(FALLBACK)


def is_installed(spec: str, cache: Path) -> bool:
    """Whether ``spec`` was unpacked completely into ``cache``."""
    return (cache / spec / DONE).is_file()


def missing_files(cache: Path | None = None) -> list[str]:
    """Files of :data:`REQUIRED` not in the cache (empty when the page can render)."""
    cache = cache or assets_dir()
    return [rel for rel in REQUIRED if not (cache / rel).is_file()]


def install(
    cache: Path | None = None, specs: Sequence[str] | None = None, npm: str | None = None
) -> list[str]:
    """Pack every missing spec from the npm registry into ``cache``; return those installed."""
    cache = cache or assets_dir()
    specs = list(specs) if specs is not None else required_specs()
    todo = [s for s in specs if not is_installed(s, cache)]
    if not todo:
        return []
    npm = npm or shutil.which("npm")
    if npm is None:
        raise AssetError(
            "npm not found: it is needed once, while online, to put Solara's JavaScript and "
            "CSS into the local cache (install Node.js with npm, e.g. apt-get install npm, "
            "then run `make bootstrap` again)"
        )
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="returnsim-assets-", dir=cache) as tmp:
        work = Path(tmp)
        try:
            proc = subprocess.run(
                [npm, "pack", "--json", "--cache", str(work / "npm-cache"), *todo],
                cwd=work,
                capture_output=True,
                text=True,
                timeout=600,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AssetError(f"npm pack failed: {exc}") from None
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            raise AssetError(f"npm pack {' '.join(todo)} failed: {last}")
        try:
            packed = json.loads(proc.stdout)
        except json.JSONDecodeError:
            raise AssetError("npm pack gave no JSON report (npm 7 or newer is needed)") from None
        if len(packed) != len(todo):
            raise AssetError(f"npm pack returned {len(packed)} packages for {len(todo)} specs")
        for spec, info in zip(todo, packed, strict=True):
            _unpack(work / info["filename"], cache / spec, work)
    return todo


def _unpack(tarball: Path, target: Path, work: Path) -> None:
    """Extract the tarball's ``package/`` folder to ``target`` (replaced atomically)."""
    staging = Path(tempfile.mkdtemp(prefix="unpack-", dir=work))
    with tarfile.open(tarball) as tar:
        tar.extractall(staging, filter="data")
    package = staging / "package"
    if not package.is_dir():
        raise AssetError(f"{tarball.name}: no package/ folder in the npm tarball")
    require = package / "require.js"
    if require.is_file() and not (package / "require.min.js").exists():
        # solara's Markdown component asks for require.min.js, which npm does not ship
        shutil.copyfile(require, package / "require.min.js")
    (package / DONE).write_text("", encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    package.rename(target)
