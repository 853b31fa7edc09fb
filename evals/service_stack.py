"""A private copy of the whole service for benchmarks: what `scripts/run.sh` starts, on free
ports, so it never collides with a stack someone else runs on the same machine.

Redis (valkey-server), the seeded reference platform (SQLite in a temp dir), the KB ingested
into Milvus Lite, then a private Ray instance (its own metrics export port) with both Serve
applications of the config file deployed as `serve run` would, HTTP port and model base URL
rewritten. Everything is stopped when the block ends, also on error or SIGTERM.
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from app.sessions.local_redis import free_port, local_redis

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Service:
    url: str  # the chat API (and /llm/v1 under it)
    platform_url: str
    jwt_secret: str
    ray_metrics_url: str  # Ray's Prometheus export of this node
    redis_url: str  # where the turn traces are
    run_id: str  # OSA_RUN_ID in every process of this stack (CPU accounting)


def log(message: str) -> None:
    print(f"[stack] {message}", file=sys.stderr, flush=True)


def wait_for(
    url: str, timeout_s: float, what: str, ok: Any = None, *, any_status: bool = False
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            reply = httpx.get(url, timeout=5.0)
            status_ok = reply.status_code == 200 or (any_status and reply.status_code == 503)
            if status_ok and (ok is None or ok(reply)):
                return
        except httpx.HTTPError:
            pass
        time.sleep(2.0)
    raise RuntimeError(f"{what} not ready at {url} after {timeout_s:.0f} s")


def serve_config(config_path: Path, port: int, *, front_only: bool = False) -> dict[str, Any]:
    """The config file with this stack's HTTP port and model URL, one LLM replica per fleet.
    `front_only`: the support application alone, no model fleets (for model-free load such
    as the tracking fast path; the chat API then reports its model check as failing)."""
    config = yaml.safe_load(config_path.read_text())
    config = copy.deepcopy(config)
    config["http_options"] = {**config.get("http_options", {}), "host": "127.0.0.1", "port": port}
    if front_only:
        config["applications"] = [a for a in config["applications"] if a["name"] == "support"]
    for app in config["applications"]:
        if app["name"] == "support":
            app.setdefault("args", {})["llm_base_url"] = f"http://127.0.0.1:{port}/llm/v1"
    return config


@contextmanager
def _process(args: list[str], log_path: Path, env: dict[str, str]) -> Iterator[None]:
    with log_path.open("w") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _ready_but_models(reply: httpx.Response) -> bool:
    checks = reply.json().get("checks", {})
    return all(v in ("ok", "not_configured") for k, v in checks.items() if k != "model")


@contextmanager
def local_service(
    config_path: Path = ROOT / "serve_config.yaml", *, front_only: bool = False
) -> Iterator[Service]:
    import ray
    from ray.serve._private import api as serve_api
    from ray.serve.schema import ServeDeploySchema

    from app.api.auth import load_secret
    from evals.ray_local import init_local_ray, serving_mode_env

    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="osa-load-")))
        env = dict(os.environ)
        # A local stack on development keys: local mode (app/credentials.py).
        env.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", OSA_ENV="local")
        # Marks every process of this stack (Ray's workers inherit it), as scripts/run.sh does.
        run_id = f"osa-load-{os.getpid()}-{time.monotonic_ns() % 100_000}"
        env["OSA_RUN_ID"] = os.environ["OSA_RUN_ID"] = run_id  # Redis is started from here
        env["PYTHONPATH"] = str(ROOT)
        redis_url = stack.enter_context(local_redis(data_dir=work))
        platform_port = free_port()
        platform_url = f"http://127.0.0.1:{platform_port}"
        env.update(
            REDIS_URL=redis_url,
            PLATFORM_URL=platform_url,
            PLATFORM_DATABASE_URL=f"sqlite+aiosqlite:///{work}/platform.db",
            OSA_JWT_SECRET=env.get("OSA_JWT_SECRET") or load_secret(),
            OSA_NEGOTIATION_CHECKPOINTS=str(work / "negotiation.sqlite"),
        )
        log(f"platform on {platform_url}, redis {redis_url}, work dir {work}")
        stack.enter_context(
            _process(
                [
                    sys.executable,
                    "-m",
                    "app.platform",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(platform_port),
                    "--seed-if-empty",
                ],
                work / "platform.log",
                env,
            )
        )
        wait_for(f"{platform_url}/readyz", 180, "platform")
        # Into the default Milvus Lite file (var/milvus/, or MILVUS_URI's server): incremental.
        log("ingesting the KB")
        subprocess.run(
            [sys.executable, "-m", "app.kb", "ingest", "kb"], env=env, cwd=ROOT, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "app.llm.model_files"], env=env, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        # Serve replicas at a service's CPU priority: Ray starts its workers at niceness 15
        # unless told otherwise, and anything else on the box then starves them.
        env.setdefault("RAY_worker_niceness", "0")
        # The serving mode `make run` uses (HAProxy, gRPC between deployments);
        # `RAY_SERVE_THROUGHPUT_OPTIMIZED=0` measures the Python proxy instead.
        mode = serving_mode_env(env.get("RAY_SERVE_THROUGHPUT_OPTIMIZED", "1"))
        for name, value in mode.items():
            env.setdefault(name, value)
        os.environ.update(env)  # Ray's workers inherit the driver's environment
        port, metrics_port = free_port(), free_port()
        config = serve_config(config_path, port, front_only=front_only)
        init_local_ray(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            namespace="serve",
            _metrics_export_port=metrics_port,
        )
        stack.callback(ray.shutdown)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        schema = ServeDeploySchema.model_validate(config)
        client = serve_api.serve_start(
            http_options=schema.http_options.model_dump(),
            proxy_location=schema.proxy_location,
        )
        stack.callback(_serve_shutdown)
        client.deploy_apps(schema, _blocking=False)
        url = f"http://127.0.0.1:{port}"
        log(f"deployed; waiting for {url}/readyz and the model fleets")
        started = time.monotonic()
        if front_only:
            wait_for(
                f"{url}/readyz", READY_TIMEOUT_S, "chat API", ok=_ready_but_models, any_status=True
            )
        else:
            wait_for(
                f"{url}/llm/v1/models",
                READY_TIMEOUT_S,
                "model fleets",
                ok=lambda r: len(r.json().get("data", [])) >= 2,
            )
            wait_for(f"{url}/readyz", READY_TIMEOUT_S, "chat API")
        log(f"ready after {time.monotonic() - started:.0f} s")
        yield Service(
            url=url,
            platform_url=platform_url,
            jwt_secret=env["OSA_JWT_SECRET"],
            ray_metrics_url=f"http://127.0.0.1:{metrics_port}/metrics",
            redis_url=redis_url,
            run_id=run_id,
        )


def _serve_shutdown() -> None:
    from ray import serve

    serve.shutdown()
