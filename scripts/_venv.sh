# Sourced by scripts/run and scripts/test: install_venv [EXTRAS] makes .venv if there is none and
# installs groupsup into it at the versions constraints.txt pins, again only when pyproject.toml or
# constraints.txt has changed since the last install.
set -euo pipefail

install_venv() {
    local extras="${1:-}" python="${PYTHON:-python3}" stamp
    cd "$(dirname "${BASH_SOURCE[0]}")/.."
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv
    fi
    stamp=".venv/.installed-$(cat pyproject.toml constraints.txt | .venv/bin/python -c \
        'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:12])')"
    stamp="$stamp${extras:+-$extras}"
    if [ ! -f "$stamp" ]; then
        .venv/bin/python -m pip install --quiet --disable-pip-version-check \
            --constraint constraints.txt --editable ".${extras:+[$extras]}"
        rm -f .venv/.installed-*
        touch "$stamp"
    fi
}
