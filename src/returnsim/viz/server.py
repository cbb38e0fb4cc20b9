"""``returnsim serve``: check the request, then hand over to Solara's server.

Everything that can be wrong (the scenario, the folder, the port, missing
web assets) is checked here first and reported as one :class:`InputError`
line; then this process becomes ``python -m solara run returnsim.viz.app``
with the offline environment of :func:`returnsim.viz.solara_env`.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from returnsim.errors import InputError
from returnsim.scenario import load
from returnsim.viz import assets_dir, solara_env
from returnsim.viz.assets import missing_files
from returnsim.viz.workshop import FOLDER_ENV, MAX_HOUSEHOLDS, SCENARIO_ENV, scenario_path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

#: A closed tab's model is dropped this long after its page disconnects.
CULL_TIMEOUT = "15m"
#: Environment variable that sets another delay (e.g. ``5s`` in the load test).
CULL_ENV = "RETURNSIM_CULL_TIMEOUT"


@dataclass(frozen=True)
class Plan:
    """What ``returnsim serve`` will run: the command, its environment, what to say."""

    argv: list[str]
    env: dict[str, str]
    url: str
    scenario: str
    folder: Path
    warning: str = ""


def is_local(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine (loopback)."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_scenario(scenario: str, folder: str | None) -> tuple[str, Path]:
    """(name, scenarios folder) for SCENARIO (a name or a path) and --scenarios."""
    looks_like_path = scenario.endswith(".toml") or os.sep in scenario or "/" in scenario
    if looks_like_path:
        path = Path(scenario)
        if not path.is_file():
            raise InputError(f"{scenario}: no such scenario file (give a .toml file or a name)")
        path = path.resolve()
        root = Path(folder).resolve() if folder else path.parent
        if path.parent != root:
            raise InputError(
                f"{scenario}: not in the scenarios folder {root} (the picker lists only that "
                "folder; copy the file there or pass --scenarios)"
            )
        name = path.stem
    else:
        from returnsim.viz.workshop import default_folder

        root = Path(folder).resolve() if folder else default_folder()
        name = scenario
    if not root.is_dir():
        if folder is None and not looks_like_path:
            raise InputError(
                f"{root}: no scenarios folder here (run from the project folder, or give "
                "--scenarios DIR or a scenario file)"
            )
        raise InputError(f"--scenarios {root}: no such folder")
    path = scenario_path(name, root)
    load(path)  # a bad scenario stops here, with its one-line message
    return name, root


def cull_timeout() -> str:
    """How long a disconnected page's model is kept: ``$RETURNSIM_CULL_TIMEOUT`` or 15 minutes."""
    given = os.environ.get(CULL_ENV, "").strip()
    if not given:
        return CULL_TIMEOUT
    if not re.fullmatch(r"\d{1,6}(\.\d+)?[smhd]?", given):
        raise InputError(
            f"{CULL_ENV}={given[:40]!r} is not allowed (a delay such as 30s, 15m or 1h)"
        )
    return given


def check_port(host: str, port: int) -> None:
    """Raise InputError unless ``host:port`` can be bound now."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"--host {host}: cannot be resolved ({exc.strerror})") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(address)
        except OSError as exc:
            why = "in use" if exc.errno in (98, 48) else (exc.strerror or str(exc))
            raise InputError(
                f"--port {port}: cannot listen on {host}:{port} ({why}; choose another --port)"
            ) from None


def plan(scenario: str, host: str, port: int, folder: str | None = None) -> Plan:
    """Check everything and return what to run (raises InputError, one line)."""
    name, root = resolve_scenario(scenario, folder)
    cull = cull_timeout()
    missing = missing_files()
    if missing:
        raise InputError(
            f"Solara's web assets are missing from {assets_dir()} ({missing[0]}): run "
            "`make bootstrap` (or `returnsim assets`) once while connected"
        )
    check_port(host, port)
    env = {
        **os.environ,
        **solara_env(),
        SCENARIO_ENV: name,
        FOLDER_ENV: str(root),
        "SOLARA_KERNEL_CULL_TIMEOUT": cull,
    }
    argv = [
        sys.executable, "-m", "solara", "run", "returnsim.viz.app",
        "--host", host, "--port", str(port),
        "--production", "--no-open", "--no-check-version", "--log-level", "warning",
    ]  # fmt: skip
    shown = f"[{host}]" if ":" in host else host
    warning = ""
    if not is_local(host):
        warning = (
            f"serving on {host}: anyone on the network can reach this server and run models "
            f"on this machine (up to {MAX_HOUSEHOLDS:,} households each); use it only on a "
            "network you trust"
        )
    return Plan(argv, env, f"http://{shown}:{port}/", name, root, warning)


def launch(p: Plan) -> None:
    """Replace this process with Solara's server (never returns)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(p.argv[0], p.argv, p.env)
