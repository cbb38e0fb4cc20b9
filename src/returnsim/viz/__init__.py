"""The workshop server: a Solara app on Mesa's SolaraViz, one model per browser session.

Solara reads its settings from the environment when it is first imported, so
this package sets them before anything imports solara (:func:`configure`):
telemetry off, the CDN upstream pointed at a dead local port (the server can
never fetch from the internet), and Solara's home and asset cache in a
folder of the project's (:func:`state_dir`), not the user's home.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Environment variable naming the folder of the server's state (default: inside the venv).
STATE_ENV = "RETURNSIM_STATE_DIR"

#: An address nothing listens on: Solara's upstream CDN, so a missing asset fails locally.
DEAD_CDN = "http://127.0.0.1:9/npm/"


def state_dir() -> Path:
    """Folder of the server's state: ``$RETURNSIM_STATE_DIR`` or ``<venv>/var/returnsim``."""
    given = os.environ.get(STATE_ENV)
    return Path(given) if given else Path(sys.prefix) / "var" / "returnsim"


def assets_dir() -> Path:
    """Solara's local CDN cache: npm packages under the exact names the page requests."""
    return state_dir() / "solara-cdn"


def solara_env() -> dict[str, str]:
    """Environment that keeps Solara offline and its state in :func:`state_dir`."""
    return {
        "SOLARA_HOME": str(state_dir() / "solara-home"),
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(assets_dir()),
        "SOLARA_ASSETS_CDN": DEAD_CDN,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }


def configure() -> None:
    """Set :func:`solara_env` in this process and mark Solara's first-run check as done."""
    env = solara_env()
    os.environ.update(env)
    home = Path(env["SOLARA_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / ".solara_checked").touch()


configure()
