"""Time to first token: a rolling window per replica, and the scaling decision it drives.

The objective is TTFT p95 under 800 ms. A fleet scales up when its p95 passes 600 ms (25%
headroom) and scales down only after p95 has stayed comfortably low for a cool-down, so a
brief lull does not throw away a warm replica. The decision is a pure function of numbers:
the Ray Serve policy in deployments/ only unpacks its context into `TtftScalingInput`.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

TTFT_P95_METRIC = "ttft_p95_ms"
TTFT_OBJECTIVE_MS = 800.0


def percentile(values: Iterable[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[rank - 1]


class TtftWindow:
    """TTFT samples of the last `horizon_s` seconds (bounded in count too)."""

    def __init__(
        self,
        horizon_s: float = 30.0,
        max_samples: int = 2048,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.horizon_s = horizon_s
        self._clock = clock
        self._samples: deque[tuple[float, float]] = deque(maxlen=max_samples)

    def record(self, ttft_s: float) -> None:
        self._samples.append((self._clock(), ttft_s * 1000.0))

    def _recent(self) -> list[float]:
        cutoff = self._clock() - self.horizon_s
        while self._samples and self._samples[0][0] < cutoff:
            self._samples.popleft()
        return [ms for _, ms in self._samples]

    def p95_ms(self) -> float | None:
        return percentile(self._recent(), 95)

    def count(self) -> int:
        return len(self._recent())

    def stats(self) -> dict[str, float]:
        """What a replica reports to the autoscaler: no samples, no TTFT metric (not 0 ms)."""
        p95 = self.p95_ms()
        return {} if p95 is None else {TTFT_P95_METRIC: p95}


class TtftScalingConfig(BaseModel):
    # policy_kwargs come from YAML: a misspelt threshold must fail, not fall back to a default.
    model_config = ConfigDict(extra="forbid")

    min_replicas: int = Field(default=1, ge=0)
    max_replicas: int = Field(default=2, ge=1)
    scale_up_p95_ms: float = Field(default=600.0, gt=0)
    scale_down_p95_ms: float = Field(default=300.0, gt=0)
    scale_down_after_s: float = Field(default=60.0, ge=0)
    scale_up_step: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> TtftScalingConfig:
        if self.min_replicas > self.max_replicas:
            raise ValueError("min_replicas must not exceed max_replicas")
        if self.scale_down_p95_ms >= self.scale_up_p95_ms:
            raise ValueError("scale_down_p95_ms must be below scale_up_p95_ms")
        return self


@dataclass(frozen=True)
class TtftScalingInput:
    current_replicas: int
    ttft_p95_ms: float | None  # the worst replica's p95; None when no replica has samples
    now_s: float
    low_since_s: float | None  # when p95 first went (and stayed) under the low mark


@dataclass(frozen=True)
class TtftScalingDecision:
    replicas: int
    low_since_s: float | None
    reason: str


def decide_replicas(inp: TtftScalingInput, cfg: TtftScalingConfig) -> TtftScalingDecision:
    def bounded(n: int) -> int:
        return max(cfg.min_replicas, min(cfg.max_replicas, n))

    current = inp.current_replicas
    p95 = inp.ttft_p95_ms
    if p95 is not None and p95 > cfg.scale_up_p95_ms:
        return TtftScalingDecision(
            bounded(current + cfg.scale_up_step), None, f"p95 {p95:.0f} ms > up mark"
        )
    # No traffic counts as comfortably low: an idle fleet drifts back to its minimum.
    if p95 is None or p95 < cfg.scale_down_p95_ms:
        low_since = inp.now_s if inp.low_since_s is None else inp.low_since_s
        if current > cfg.min_replicas and inp.now_s - low_since >= cfg.scale_down_after_s:
            # Restart the cool-down so the fleet steps down one replica at a time.
            return TtftScalingDecision(bounded(current - 1), inp.now_s, "low for cool-down")
        return TtftScalingDecision(bounded(current), low_since, "low, cooling down")
    return TtftScalingDecision(bounded(current), None, "within band")
