#!/usr/bin/env bash
# The test command: lint, then the whole test suite against real local wikis,
# Redis and MariaDB (started by the fixtures when they are not running).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/pytest "$@"
