"""Replicas really change under an injected TTFT: the TTFT policy driving a live Serve deployment.

A tiny deployment (no model) keeps a `TtftWindow`, takes injected samples, and reports its p95
through `record_autoscaling_stats`, exactly as the LLM servers do; Serve's controller runs
`deployments.autoscaling:TtftAutoscalingPolicy` on it. 900 ms samples scale it 1 → 3 (max), then
100 ms samples (the 900s age out of the window) bring it back to 1 one replica per cool-down.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.llm.ttft import TtftWindow
from app.sessions.local_redis import free_port
from evals.ray_local import init_local_ray

pytestmark = pytest.mark.slow

APP = "ttft-autoscaling-test"
DEPLOYMENT = "FakeFleet"
MAX_REPLICAS = 3
HORIZON_S = 2.0
AUTOSCALING = {
    "min_replicas": 1,
    "max_replicas": MAX_REPLICAS,
    "initial_replicas": 1,
    "metrics_interval_s": 0.5,
    "look_back_period_s": 1.0,
    # Serve's own delays off: the policy's cool-down is what is under test.
    "upscale_delay_s": 0,
    "downscale_delay_s": 0,
    "policy": {
        "policy_function": "deployments.autoscaling:TtftAutoscalingPolicy",
        "policy_kwargs": {
            "scale_up_p95_ms": 600,
            "scale_down_p95_ms": 300,
            "scale_down_after_s": 2,
        },
    },
}


class FakeFleet:
    """Stands in for an LLM replica: a TTFT window, fed by hand."""

    def __init__(self) -> None:
        self.window = TtftWindow(horizon_s=HORIZON_S)

    def inject(self, ttft_ms: float, count: int = 20) -> int:
        for _ in range(count):
            self.window.record(ttft_ms / 1000.0)
        return self.window.count()

    def record_autoscaling_stats(self) -> dict[str, float]:
        return self.window.stats()


@pytest.fixture(scope="module")
def fleet() -> Iterator[Any]:
    ray = pytest.importorskip("ray")
    from ray import serve

    # address="local": always a cluster of our own, never one someone else started here.
    init_local_ray(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        serve.start(http_options={"host": "127.0.0.1", "port": free_port()})
        deployment = serve.deployment(
            FakeFleet,
            name=DEPLOYMENT,
            ray_actor_options={"num_cpus": 0.1},
            autoscaling_config=AUTOSCALING,
            graceful_shutdown_timeout_s=1,
            graceful_shutdown_wait_loop_s=0.2,
        )
        handle = serve.run(deployment.bind(), name=APP, route_prefix=None)
        yield handle
    finally:
        serve.shutdown()
        ray.shutdown()


def replica_states() -> dict[str, int]:
    from ray import serve

    status = serve.status().applications[APP].deployments[DEPLOYMENT]
    return {str(state): count for state, count in status.replica_states.items()}


def running(states: dict[str, int]) -> int:
    return sum(count for state, count in states.items() if state.endswith("RUNNING"))


def drive(
    handle: Any, ttft_ms: float, until: Any, timeout_s: float, seen: list[dict[str, int]]
) -> None:
    """Inject `ttft_ms` samples every ~0.25 s until `until(states)` holds."""
    deadline = time.monotonic() + timeout_s
    while True:
        handle.inject.remote(ttft_ms).result(timeout_s=10)
        states = replica_states()
        seen.append(states)
        if until(states):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; replica states seen: {seen[-12:]}")
        time.sleep(0.25)


def test_replicas_follow_the_injected_ttft(fleet: Any) -> None:
    seen: list[dict[str, int]] = []
    started = time.monotonic()
    assert running(replica_states()) == 1

    # Slow first tokens: the fleet grows to its maximum and no further.
    drive(fleet, 900.0, lambda s: running(s) >= MAX_REPLICAS, 45, seen)
    scaled_up_s = time.monotonic() - started
    for _ in range(8):  # still slow at the maximum: stays there
        drive(fleet, 900.0, lambda s: True, 5, seen)
    assert all(sum(s.values()) <= MAX_REPLICAS for s in seen), seen
    assert running(seen[-1]) == MAX_REPLICAS

    # Comfortably fast again: back to one replica, one step per cool-down.
    down_started, up_seen = time.monotonic(), len(seen)
    drive(fleet, 100.0, lambda s: running(s) == 1 and sum(s.values()) == 1, 45, seen)
    scaled_down_s = time.monotonic() - down_started
    # The slow samples age out (2 s), then a 2 s cool-down before each step: never all at once.
    assert scaled_down_s > 3.0, (scaled_down_s, seen)
    assert any(sum(s.values()) == 2 for s in seen[up_seen:]), seen[up_seen:]
    print(f"scaled up in {scaled_up_s:.1f}s, down in {scaled_down_s:.1f}s")
