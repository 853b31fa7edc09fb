"""The Ray Serve TTFT policy over synthetic `AutoscalingContext`s (no cluster)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from pydantic import ValidationError
from ray.serve._private.common import DeploymentID, ReplicaID
from ray.serve.config import AutoscalingConfig, AutoscalingContext, AutoscalingPolicy

from app.llm.ttft import TTFT_P95_METRIC
from deployments.autoscaling import TtftAutoscalingPolicy

POLICY_PATH = "deployments.autoscaling:TtftAutoscalingPolicy"
KWARGS = {"scale_up_p95_ms": 600, "scale_down_p95_ms": 300, "scale_down_after_s": 60}
DEPLOYMENT = DeploymentID(name="tracking-fleet", app_name="llm")


def replica(n: int) -> ReplicaID:
    return ReplicaID(unique_id=f"r{n}", deployment_id=DEPLOYMENT)


def context(
    p95s: list[float] | None,
    *,
    now: float,
    state: dict[str, Any] | None = None,
    current: int | None = None,
    target: int | None = None,
    min_replicas: int = 1,
    max_replicas: int = 3,
) -> AutoscalingContext:
    """`p95s`: one reported p95 per running replica; None for replicas that report nothing."""
    running = [replica(i) for i in range(current if current is not None else len(p95s or [1]))]
    metrics = None
    if p95s is not None:
        metrics = {TTFT_P95_METRIC: dict(zip(running, p95s, strict=False))}
    return AutoscalingContext(
        deployment_id=DEPLOYMENT,
        deployment_name=DEPLOYMENT.name,
        app_name=DEPLOYMENT.app_name,
        current_num_replicas=len(running),
        target_num_replicas=target if target is not None else len(running),
        running_replicas=running,
        total_num_requests=0.0,
        total_queued_requests=0.0,
        aggregated_metrics=metrics,
        raw_metrics=None,
        capacity_adjusted_min_replicas=min_replicas,
        capacity_adjusted_max_replicas=max_replicas,
        policy_state=dict(state or {}),
        last_scale_up_time=None,
        last_scale_down_time=None,
        current_time=now,
        config=AutoscalingConfig(min_replicas=min_replicas, max_replicas=max(1, max_replicas)),
    )


@pytest.fixture
def policy() -> TtftAutoscalingPolicy:
    return TtftAutoscalingPolicy(**KWARGS)


def test_worst_replica_decides(policy: TtftAutoscalingPolicy) -> None:
    replicas, state = policy(context([120.0, 950.0], now=100))
    assert replicas == 3
    assert state["low_since_s"] is None
    assert "up" in state["reason"]
    # Both comfortable except one in band: hold, not scale down.
    replicas, state = policy(context([100.0, 450.0], now=100))
    assert (replicas, state["low_since_s"]) == (2, None)


def test_scales_up_but_never_past_max(policy: TtftAutoscalingPolicy) -> None:
    assert policy(context([700.0], now=1))[0] == 2
    assert policy(context([700.0, 800.0, 900.0], now=1))[0] == 3


def test_low_streak_is_carried_in_policy_state_across_calls(
    policy: TtftAutoscalingPolicy,
) -> None:
    replicas, state = policy(context([100.0, 90.0, 80.0], now=1000))
    assert (replicas, state["low_since_s"]) == (3, 1000)
    replicas, state = policy(context([100.0, 90.0, 80.0], now=1030, state=state))
    assert (replicas, state["low_since_s"]) == (3, 1000)
    replicas, state = policy(context([100.0, 90.0, 80.0], now=1060, state=state))
    assert (replicas, state["low_since_s"]) == (2, 1060)  # one step, cool-down restarts
    replicas, state = policy(context([100.0, 90.0], now=1061, state=state))
    assert replicas == 2
    replicas, state = policy(context([100.0, 90.0], now=1120, state=state))
    assert replicas == 1
    replicas, state = policy(context([100.0], now=5000, state=state))
    assert replicas == 1  # never below min


def test_a_spike_resets_the_streak(policy: TtftAutoscalingPolicy) -> None:
    _, state = policy(context([100.0, 100.0], now=0))
    _, state = policy(context([100.0, 400.0], now=30, state=state))
    assert state["low_since_s"] is None
    replicas, state = policy(context([100.0, 100.0], now=61, state=state))
    assert (replicas, state["low_since_s"]) == (2, 61)


def test_no_metrics_counts_as_low(policy: TtftAutoscalingPolicy) -> None:
    # No replica has reported a TTFT (no traffic): aggregated_metrics None, empty, or no key.
    for metrics_p95s in (None, []):
        replicas, state = policy(context(metrics_p95s, now=0, current=2))
        assert (replicas, state["low_since_s"]) == (2, 0)
        replicas, state = policy(context(metrics_p95s, now=60, current=2, state=state))
        assert replicas == 1
    empty_key = context(None, now=0, current=2)
    empty_key._aggregated_metrics_value = {"other_metric": {replica(0): 5.0}}
    assert policy(empty_key)[1]["low_since_s"] == 0


def test_other_policy_state_is_kept(policy: TtftAutoscalingPolicy) -> None:
    state = {"low_since_s": None, "serve_internal_counter": 3}
    _, new_state = policy(context([100.0], now=5, state=state))
    assert new_state["serve_internal_counter"] == 3


def test_bounds_come_from_the_deployment(policy: TtftAutoscalingPolicy) -> None:
    assert policy(context([900.0, 900.0], now=0, max_replicas=2))[0] == 2
    replicas, _ = policy(context([50.0, 50.0], now=0, min_replicas=2, state={"low_since_s": -999}))
    assert replicas == 2


def test_target_capacity_zero_drains_instead_of_failing(policy: TtftAutoscalingPolicy) -> None:
    # `target_capacity: 0` makes Serve's capacity-adjusted bounds 0..0.
    assert policy(context([900.0], now=0, min_replicas=0, max_replicas=0))[0] == 0


def test_kwargs_are_validated_when_the_policy_is_built() -> None:
    with pytest.raises(ValidationError):
        TtftAutoscalingPolicy(scale_up_p95_ms=200, scale_down_p95_ms=300)
    with pytest.raises(ValidationError):
        TtftAutoscalingPolicy(scale_down_after=5)  # misspelt


def test_policy_loads_the_way_serve_loads_it() -> None:
    """Serve cloudpickles the import path's target and instantiates a class with its kwargs."""
    spec = AutoscalingPolicy(policy_function=POLICY_PATH, policy_kwargs=KWARGS)
    loaded = spec.get_policy()
    assert inspect.isclass(loaded)
    instance = loaded(**spec.policy_kwargs)
    replicas, state = instance(context([900.0], now=0))
    assert replicas == 2 and state["low_since_s"] is None
    # And the same path is accepted inside a deployment's autoscaling_config.
    config = AutoscalingConfig(min_replicas=1, max_replicas=3, policy=spec)
    assert config.policy.policy_function == POLICY_PATH
