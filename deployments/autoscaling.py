"""The TTFT autoscaling policy, in the shape Ray Serve calls it.

    autoscaling_config:
      policy:
        policy_function: deployments.autoscaling:TtftAutoscalingPolicy
        policy_kwargs: {scale_up_p95_ms: 600, scale_down_p95_ms: 300, ...}

Ray instantiates the class once with `policy_kwargs` and calls it with an
`AutoscalingContext`; everything it decides is `app.llm.ttft.decide_replicas`.
"""

from __future__ import annotations

from typing import Any

from ray.serve.config import AutoscalingContext

from app.llm.ttft import (
    TTFT_P95_METRIC,
    TtftScalingConfig,
    TtftScalingInput,
    decide_replicas,
)


class TtftAutoscalingPolicy:
    def __init__(self, **kwargs: Any) -> None:
        TtftScalingConfig(**kwargs)  # fail at deploy on a bad or misspelt kwarg, not per tick
        self.kwargs = kwargs

    def _config(self, ctx: AutoscalingContext) -> TtftScalingConfig:
        # Replica bounds come from the deployment's autoscaling_config (capacity-adjusted by
        # Serve); thresholds and cool-down from policy_kwargs.
        return TtftScalingConfig(
            min_replicas=ctx.capacity_adjusted_min_replicas,
            max_replicas=ctx.capacity_adjusted_max_replicas,
            **self.kwargs,
        )

    def __call__(self, ctx: AutoscalingContext) -> tuple[int, dict[str, Any]]:
        if ctx.capacity_adjusted_max_replicas < 1:
            # `target_capacity: 0` (draining): bounds are 0..0, which the config cannot hold.
            return 0, dict(ctx.policy_state)
        per_replica = (ctx.aggregated_metrics or {}).get(TTFT_P95_METRIC) or {}
        # The slowest replica decides: customers routed to it are the ones missing the SLO.
        worst = max(per_replica.values()) if per_replica else None
        now = ctx.current_time if ctx.current_time is not None else 0.0
        decision = decide_replicas(
            TtftScalingInput(
                current_replicas=ctx.current_num_replicas,
                ttft_p95_ms=worst,
                now_s=now,
                low_since_s=ctx.policy_state.get("low_since_s"),
            ),
            self._config(ctx),
        )
        state = {**ctx.policy_state, "low_since_s": decision.low_since_s, "reason": decision.reason}
        return decision.replicas, state
