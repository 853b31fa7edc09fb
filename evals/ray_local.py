"""A private local Ray instance for the evals and the tests that serve a graph or a fleet."""

from __future__ import annotations

from typing import Any

from app.sessions.local_redis import free_port

STARTUP_TIMEOUT = "timed out during startup"


def init_local_ray(**kwargs: Any) -> None:
    """`ray.init(**kwargs)`, tried twice. On a 2-core machine shared with other work, a new
    node's raylet and GCS sometimes overrun Ray's own startup wait ("The current node timed out
    during startup"); a second start after a clean shutdown comes up. Any other error, or a
    second timeout, is raised.

    Always a new instance (`address="local"`): without it, `ray.init` joins any cluster it finds
    on the machine (another test's, `make run`'s) and refuses the `num_cpus` it was given."""
    import ray

    kwargs.setdefault("address", "local")

    for attempt in (1, 2):
        try:
            ray.init(**kwargs)
            return
        except Exception as exc:
            if attempt == 2 or STARTUP_TIMEOUT not in str(exc):
                raise
            ray.shutdown()


def serving_mode_env(optimized: str = "1") -> dict[str, str]:
    """Ray Serve's high-throughput mode as `make run` sets it (scripts/run.sh): HAProxy in front
    of the ingress replicas, gRPC between deployments, the service's logs still on stderr; `"0"`
    is Serve's defaults. HAProxy's stats and metrics ports are free ones, so a stack beside
    `make run` does not collide. Ray's controller and replicas read these from the environment
    they inherit, so set them before `init_local_ray`."""
    return {
        "RAY_SERVE_THROUGHPUT_OPTIMIZED": optimized,
        "RAY_SERVE_ENABLE_HA_PROXY": optimized,
        "RAY_SERVE_LOG_TO_STDERR": "1",
        "RAY_SERVE_HAPROXY_STATS_PORT": str(free_port()),
        "RAY_SERVE_HAPROXY_METRICS_PORT": str(free_port()),
    }
