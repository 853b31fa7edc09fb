"""A private local Ray instance for the evals and the tests that serve a graph or a fleet."""

from __future__ import annotations

from typing import Any

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
