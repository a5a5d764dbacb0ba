#!/usr/bin/env bash
# The main job on the embedded default: local wikis, a sample campaign, the bot
# and the webservice, as far as they are built (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/campaignkit demo "$@"
