#!/usr/bin/env bash
# Prepare a fresh Debian machine for campaignkit: system packages (when root),
# a virtualenv in .venv and the project installed into it with its test extra.
# Safe to run again: it does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3 python3-venv python3-pip git ca-certificates
              mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml php-curl lua5.1 php-mysql
              redis-server mariadb-server chromium)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
# Node and npm (for axe-core) are asked for by command, not by package: a machine whose
# Node comes from elsewhere (NodeSource's nodejs bundles npm and conflicts with Debian's
# npm package) already has them.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "bootstrap: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: please install: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.campaignkit-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e '.[test]'
  touch "$stamp"
fi

# axe-core (the browser tests' accessibility checks), pinned by tests/js/package-lock.json.
if [[ ! -f tests/js/node_modules/.campaignkit-installed || tests/js/package-lock.json -nt tests/js/node_modules/.campaignkit-installed ]]; then
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch tests/js/node_modules/.campaignkit-installed
fi
