#!/usr/bin/env bash
# `make upgrade`: re-resolves every package to its newest version and keeps the new lock only
# when the whole suite passes on it. main's lock never changes on a red run.
#   1. scripts/lock.sh --upgrade writes candidate locks (and apt.txt) into a scratch directory;
#   2. scripts/test.sh installs the candidate into a scratch virtual environment and runs
#      ruff and the whole test suite there (.venv/ is not touched);
#   3. green: the candidates replace requirements/*.lock and requirements/apt.txt, and the
#      version changes are printed for the commit message; red: nothing in the checkout changes.
#
# Usage: scripts/upgrade.sh [pytest arguments]   (arguments narrow the suite, to try it out;
#                                                 a real upgrade runs it whole)
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="$(mktemp -d "${TMPDIR:-/tmp}/osa-upgrade.XXXXXX")"
cleanup() { rm -rf "$scratch"; }
trap cleanup EXIT

# uv comes from the current lock (.venv/), unless UV names one.
[[ -n "${UV:-}" ]] || scripts/bootstrap.sh
candidate="$scratch/requirements"
scripts/lock.sh --upgrade --out-dir "$candidate"

changes() {  # old lock, new lock: one line per version change
  diff <(grep -oE '^[A-Za-z0-9][A-Za-z0-9._-]*==[^ \\]+' "$1" | sort) \
       <(grep -oE '^[A-Za-z0-9][A-Za-z0-9._-]*==[^ \\]+' "$2" | sort) \
    | sed -n 's/^\([<>]\) /\1 /p' || true
}
same=1
for name in cpu gpu; do
  cmp -s <(grep -v '^#' "requirements/$name.lock") <(grep -v '^#' "$candidate/$name.lock") || same=0
done
cmp -s requirements/apt.txt "$candidate/apt.txt" 2>/dev/null || same=0
if [[ "$same" == 1 ]]; then
  echo "upgrade: every package is already at its newest version; the lock is unchanged" >&2
  exit 0
fi
echo "upgrade: candidate versions (< locked, > newest):" >&2
for name in cpu gpu; do
  echo "  $name.lock:" >&2
  changes "requirements/$name.lock" "$candidate/$name.lock" | sed 's/^/    /' >&2
done
diff requirements/apt.txt "$candidate/apt.txt" | sed -n 's/^\([<>]\) /    apt \1 /p' >&2 || true

echo "upgrade: installing the candidate into a scratch environment and running the suite" >&2
if OSA_VENV="$scratch/venv" OSA_LOCK="$candidate/cpu.lock" scripts/test.sh "$@"; then
  cp "$candidate/cpu.lock" "$candidate/gpu.lock" requirements/
  [[ -f "$candidate/apt.txt" ]] && cp "$candidate/apt.txt" requirements/apt.txt
  echo "upgrade: the suite passed on the newest versions; requirements/ updated (commit it)" >&2
else
  status=$?
  echo "upgrade: the suite failed on the newest versions; requirements/ left unchanged" >&2
  exit "$status"
fi
