#!/usr/bin/env bash
# Installs what the tests need, lints, and runs the whole suite (slow tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
# OSA_VENV / OSA_LOCK: another environment and lock (`make upgrade` tests a candidate lock).
venv="${OSA_VENV:-.venv}"
scripts/bootstrap.sh
export HF_HUB_OFFLINE=1
# The suite runs on development keys: local mode (app/credentials.py).
export OSA_ENV=local
"$venv/bin/ruff" check .
# The model the slow tests serve with vLLM (converted once from PyPI's GGUF file, then cached).
"$venv/bin/python" -m app.llm.model_files >/dev/null
"$venv/bin/python" -m app.routing.onnx_encoder >/dev/null
# Serve's CLI and the tests' subprocesses resolve from the environment under test.
venv_bin="$(cd "$venv/bin" && pwd)"
export PATH="$venv_bin:$PATH"
exec "$venv/bin/python" -m pytest "$@"
