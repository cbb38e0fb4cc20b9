#!/bin/sh
# Print the path of a Python >= 3.12 interpreter that actually runs, or say
# what to install and exit 1. Tries python3.13, python3.12 and python3 on PATH
# (pyenv shims may exist but refuse to run, so each one is run), then pyenv's
# installed versions, newest first.
set -u

works() {
    [ -x "$1" ] && "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' \
        </dev/null >/dev/null 2>&1
}

for name in python3.13 python3.12 python3; do
    path=$(command -v "$name" 2>/dev/null) || continue
    if works "$path"; then
        echo "$path"
        exit 0
    fi
done

roots=""
if command -v pyenv >/dev/null 2>&1; then
    roots=$(pyenv root 2>/dev/null || true)
fi
for root in $roots "${PYENV_ROOT:-}" "$HOME/.pyenv"; do
    [ -n "$root" ] && [ -d "$root/versions" ] || continue
    # Newest version first (sort -V), e.g. 3.13.0 before 3.12.1.
    for dir in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -r -V); do
        for exe in "$dir"/bin/python3.1[2-9] "$dir"/bin/python3; do
            if works "$exe"; then
                echo "$exe"
                exit 0
            fi
        done
    done
done

echo "returnsim needs Python 3.12 or newer and none was found: install it (e.g. 'apt-get install python3.12', or 'pyenv install 3.12') and run make again." >&2
exit 1
