#!/usr/bin/env bash
# Installs what the tests need, lints, and runs the whole suite (slow tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export HF_HUB_OFFLINE=1
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
