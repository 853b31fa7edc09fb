#!/usr/bin/env bash
# Resolves the lock files from pyproject.toml and requirements/*.in with uv (`make lock`).
#   requirements/cpu.lock  the `dev` and `cpu` extras + requirements/cpu.in: make run, make test, CI
#   requirements/gpu.lock  the `gpu` extra: cluster/Dockerfile
# Every package of each environment is pinned with its hashes, not only the direct ones.
#
# Usage: scripts/lock.sh [--upgrade] [--out-dir DIR]
#   default    keeps every version already locked that still satisfies the inputs
#              (a new or changed dependency is resolved, nothing else moves)
#   --upgrade  re-resolves everything to the newest versions; `make upgrade` uses it in a
#              scratch directory and keeps the result only when the whole suite passes
set -euo pipefail
cd "$(dirname "$0")/.."

upgrade=()
out_dir="requirements"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --upgrade) upgrade=(--upgrade); shift ;;
    --out-dir) out_dir="$2"; shift 2 ;;
    *) echo "usage: scripts/lock.sh [--upgrade] [--out-dir DIR]" >&2; exit 2 ;;
  esac
done
mkdir -p "$out_dir"

uv_bin="${UV:-}"
if [[ -z "$uv_bin" ]]; then
  if [[ -x .venv/bin/uv ]]; then uv_bin=.venv/bin/uv; else uv_bin="$(command -v uv || true)"; fi
fi
if [[ -z "$uv_bin" ]]; then
  echo "lock: uv not found (make test installs it into .venv/, or: pip install uv)" >&2
  exit 1
fi
py="$( [[ -x .venv/bin/python ]] && echo .venv/bin/python || echo python3 )"

# The CPU build of torch (`torch==2.13.0+cpu`) is not on PyPI. It comes from the wheel
# directories pip is configured with (on this project's machines, /opt/wheels), or from
# UV_FIND_LINKS / UV_EXTRA_INDEX_URL (e.g. PyTorch's CPU wheel index) where those are set.
find_links=()
pip_find_links="${PIP_FIND_LINKS:-$("$py" -m pip config get global.find-links 2>/dev/null || true)}"
for dir in $pip_find_links; do find_links+=(--find-links "$dir"); done

digest="$("$py" scripts/lockfile.py digest)"
common=(--python-version 3.11 --python-platform x86_64-manylinux_2_28 --generate-hashes
        --quiet --custom-compile-command "make lock")

compile() {  # lock name, then uv arguments
  local name="$1"; shift
  local target="$out_dir/$name.lock"
  # Without --upgrade uv keeps the versions already in the output file: seed it with ours.
  if [[ ${#upgrade[@]} -eq 0 && -f "requirements/$name.lock" && "$out_dir" != requirements ]]; then
    cp "requirements/$name.lock" "$target"
  fi
  "$uv_bin" pip compile "${common[@]}" "${upgrade[@]}" "$@" -o "$target"
  printf '%s%s\n' "# inputs-sha256: " "$digest" >>"$target"
  echo "lock: $target ($(grep -c '^[A-Za-z0-9]' "$target") packages)" >&2
}

compile cpu pyproject.toml requirements/cpu.in --extra dev --extra cpu \
  --overrides requirements/overrides.txt "${find_links[@]}"
# The image's torch is PyPI's CUDA build: no CPU wheel directory here.
compile gpu pyproject.toml requirements/gpu.in --extra gpu

# Debian packages: the candidates apt offers now, recorded only on --upgrade (see apt.txt).
if [[ ${#upgrade[@]} -gt 0 ]] && command -v apt-cache >/dev/null 2>&1; then
  {
    sed -n '/^#/p' requirements/apt.txt
    while read -r spec; do
      name="${spec%%=*}"
      candidate="$(apt-cache policy "$name" 2>/dev/null | sed -n 's/^  Candidate: //p')"
      if [[ -n "$candidate" && "$candidate" != "(none)" ]]; then echo "$name=$candidate"; else echo "$spec"; fi
    done < <(grep -v '^#' requirements/apt.txt | grep .)
  } >"$out_dir/apt.txt.new"
  mv "$out_dir/apt.txt.new" "$out_dir/apt.txt"
fi
