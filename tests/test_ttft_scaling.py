"""TTFT window and the pure scaling decision: up above 600 ms, down only after a cool-down."""

from __future__ import annotations

import itertools

import pytest
from pydantic import ValidationError

from app.llm.ttft import (
    TTFT_P95_METRIC,
    TtftScalingConfig,
    TtftScalingInput,
    TtftWindow,
    decide_replicas,
    percentile,
)

CFG = TtftScalingConfig(
    min_replicas=1,
    max_replicas=3,
    scale_up_p95_ms=600,
    scale_down_p95_ms=300,
    scale_down_after_s=60,
)


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def decide(
    current: int,
    p95: float | None,
    now: float = 0.0,
    low_since: float | None = None,
    cfg: TtftScalingConfig = CFG,
) -> tuple[int, float | None]:
    decision = decide_replicas(TtftScalingInput(current, p95, now, low_since), cfg)
    return decision.replicas, decision.low_since_s


# ---------------------------------------------------------------- percentile


def test_percentile_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 95) == 95
    assert percentile(values, 50) == 50
    assert percentile(values, 100) == 100
    assert percentile(values, 0) == 1
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 95) is None
    # Unordered input, and the p95 of 20 samples is the 19th smallest.
    assert percentile(reversed(range(20)), 95) == 18


# ---------------------------------------------------------------- the window


def test_window_reports_p95_in_ms_and_nothing_without_samples() -> None:
    clock = FakeClock()
    window = TtftWindow(horizon_s=30, clock=clock)
    assert window.stats() == {}  # no traffic is "no metric", never "0 ms"
    assert window.p95_ms() is None and window.count() == 0
    for ms in range(1, 21):
        window.record(ms / 1000)
    assert window.count() == 20
    assert window.p95_ms() == pytest.approx(19.0)
    assert window.stats() == {TTFT_P95_METRIC: pytest.approx(19.0)}


def test_window_forgets_samples_older_than_the_horizon() -> None:
    clock = FakeClock()
    window = TtftWindow(horizon_s=10, clock=clock)
    window.record(0.9)
    clock.now += 5
    window.record(0.1)
    assert window.p95_ms() == pytest.approx(900)
    clock.now += 5  # the first sample is exactly horizon old: still in
    assert window.count() == 2
    clock.now += 0.001
    assert window.count() == 1
    assert window.p95_ms() == pytest.approx(100)
    clock.now += 10
    assert window.stats() == {}


def test_window_is_bounded_in_count() -> None:
    window = TtftWindow(horizon_s=30, max_samples=5, clock=FakeClock())
    for _ in range(5):
        window.record(2.0)
    for _ in range(5):
        window.record(0.05)
    assert window.count() == 5
    assert window.p95_ms() == pytest.approx(50)


# ---------------------------------------------------------------- decide_replicas


def test_scales_up_above_the_up_mark() -> None:
    assert decide(1, 601) == (2, None)
    assert decide(2, 900) == (3, None)


def test_exactly_at_the_up_mark_holds() -> None:
    assert decide(2, 600)[0] == 2


def test_never_above_max() -> None:
    assert decide(3, 5000) == (3, None)
    big_step = CFG.model_copy(update={"scale_up_step": 5})
    assert decide(1, 900, cfg=big_step)[0] == 3


def test_holds_in_band_and_forgets_the_low_streak() -> None:
    for p95 in (300, 450, 599.9):
        assert decide(2, p95, now=500, low_since=100) == (2, None)


def test_scale_down_waits_for_the_cool_down() -> None:
    replicas, low_since = decide(3, 120, now=1000)
    assert (replicas, low_since) == (3, 1000)  # the low streak starts now
    assert decide(3, 120, now=1059.9, low_since=low_since) == (3, 1000)
    # A spike in band resets the streak: the cool-down starts over afterwards.
    assert decide(3, 400, now=1030, low_since=low_since) == (3, None)
    assert decide(3, 120, now=1060, low_since=None) == (3, 1060)


def test_scale_down_is_one_step_at_a_time_with_a_new_cool_down() -> None:
    replicas, low_since = decide(3, 100, now=1060, low_since=1000)
    assert (replicas, low_since) == (2, 1060)
    # Right after a step down, another one needs another full cool-down.
    assert decide(2, 100, now=1061, low_since=low_since) == (2, 1060)
    assert decide(2, 100, now=1120, low_since=low_since) == (1, 1120)


def test_sustained_low_walks_down_to_min_one_step_per_cool_down() -> None:
    replicas, low_since, history = 3, None, []
    for now in range(0, 301, 10):
        replicas, low_since = decide(replicas, 50, now=now, low_since=low_since)
        history.append(replicas)
    assert history[:6] == [3] * 6
    assert history[6] == 2  # t=60
    assert history[12] == 1  # t=120
    assert history[-1] == 1  # never below min
    assert all(a - b in (0, 1) for a, b in itertools.pairwise(history))


def test_no_traffic_counts_as_low() -> None:
    assert decide(2, None, now=10) == (2, 10)
    assert decide(2, None, now=70, low_since=10) == (1, 70)


def test_never_below_min() -> None:
    assert decide(1, None, now=1000, low_since=0)[0] == 1
    cfg = CFG.model_copy(update={"min_replicas": 2})
    assert decide(2, 10, now=1000, low_since=0, cfg=cfg)[0] == 2
    # Fewer running than the minimum (a replica died): back to the minimum.
    assert decide(1, 10, now=1000, low_since=0, cfg=cfg)[0] == 2
    assert decide(1, 400, cfg=cfg)[0] == 2


def test_above_max_is_brought_back_within_bounds() -> None:
    assert decide(5, 400)[0] == 3


def test_zero_cool_down_steps_down_every_call() -> None:
    cfg = CFG.model_copy(update={"scale_down_after_s": 0})
    assert decide(3, 10, now=5, cfg=cfg) == (2, 5)


def test_decision_says_why() -> None:
    assert "up" in decide_replicas(TtftScalingInput(1, 900, 0, None), CFG).reason
    assert "band" in decide_replicas(TtftScalingInput(1, 400, 0, None), CFG).reason


# ---------------------------------------------------------------- config validation


def test_defaults_are_the_slo_marks() -> None:
    cfg = TtftScalingConfig()
    assert (cfg.scale_up_p95_ms, cfg.scale_down_p95_ms) == (600, 300)
    assert cfg.min_replicas <= cfg.max_replicas


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_replicas": 3, "max_replicas": 2},
        {"scale_down_p95_ms": 600, "scale_up_p95_ms": 600},
        {"scale_down_p95_ms": 700, "scale_up_p95_ms": 600},
        {"scale_up_p95_ms": 0},
        {"scale_down_p95_ms": -1},
        {"scale_down_after_s": -1},
        {"scale_up_step": 0},
        {"min_replicas": -1},
        {"scale_up_p95": 500},  # a misspelt threshold must not silently fall back to 600
    ],
)
def test_invalid_configs_fail(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        TtftScalingConfig(**kwargs)
