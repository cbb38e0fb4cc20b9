#!/bin/sh
# Create or update the project's virtual environment: .venv (or $1) with a
# Python >= 3.12, and returnsim installed in it, editable, with its dev tools.
set -eu
venv=${1:-.venv}
here=$(cd "$(dirname "$0")" && pwd)

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c \
    'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' </dev/null >/dev/null 2>&1; then
    echo "Using $venv ($("$venv/bin/python" --version))"
else
    python=$("$here/find-python.sh")
    echo "Creating $venv with $python ($("$python" --version))"
    "$python" -m venv --clear "$venv"
fi
echo "Installing returnsim and its dependencies into $venv (pip install -e '.[dev]')"
"$venv/bin/python" -m pip install -qq --disable-pip-version-check -e '.[dev]' </dev/null
echo "Installing Solara's web assets for the offline workshop server (returnsim assets)"
"$venv/bin/returnsim" assets </dev/null
