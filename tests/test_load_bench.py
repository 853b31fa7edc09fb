"""evals.load without a service: the traffic mix, the session scripts, the loopback guard,
the summary and ratios, and reading cost figures from a /metrics page."""

from __future__ import annotations

import random
from collections import Counter

import httpx
import pytest

from app.platform.client import CustomerRef
from evals.load import (
    LevelResult,
    SeededCustomer,
    TurnSample,
    pick_kind,
    ratios,
    require_loopback,
    scrape_costs,
    session_script,
)

CUSTOMER = SeededCustomer(CustomerRef("northwind", "CUS-1"), ("ORD-1000001",), ("ORD-1000002",))


def test_the_mix_is_75_20_5() -> None:
    rng = random.Random(3)
    counts = Counter(pick_kind(rng) for _ in range(20_000))
    assert counts["tracking"] / 20_000 == pytest.approx(0.75, abs=0.01)
    assert counts["policy"] / 20_000 == pytest.approx(0.20, abs=0.01)
    assert counts["negotiation"] / 20_000 == pytest.approx(0.05, abs=0.005)


def test_sessions_are_two_turns_about_the_customers_own_orders() -> None:
    rng = random.Random(1)
    tracking = session_script("tracking", CUSTOMER, rng)
    assert len(tracking) == 2 and "ORD-1000001" in tracking[0]
    dispute = session_script("negotiation", CUSTOMER, rng)
    assert "ORD-1000002" in dispute[0] and "refund" in dispute[0]
    assert dispute[1].lower().startswith("no")  # the bench never confirms a write


def test_only_loopback_urls_are_driven() -> None:
    require_loopback("http://127.0.0.1:8000")
    require_loopback("http://localhost:8000")
    with pytest.raises(SystemExit):
        require_loopback("https://support.example.com")


def test_summary_and_ratios() -> None:
    agent = LevelResult("agent", 2, 10.0, [TurnSample("tracking", 0.1, 0.5, True)] * 9)
    agent.samples.append(TurnSample("policy", None, 1.0, False))
    agent.cost_per_turn, agent.prompt_tokens_per_turn = 0.0001, 500.0
    summary = agent.summary()
    assert summary["turns"] == 10 and summary["throughput_tps"] == 1.0
    assert summary["error_rate"] == 0.1 and summary["ttft_p50_ms"] == 100.0
    mono = {**summary, "prompt_tokens_per_turn": 2500.0, "ttft_p50_ms": 400.0}
    assert ratios(summary, mono)["prompt_tokens_per_turn"] == 5.0
    assert ratios(summary, mono)["ttft_p50_ms"] == 4.0


async def test_costs_are_read_from_the_metrics_page() -> None:
    page = (
        'osa_turn_cost_usd_sum{tier="tracking"} 0.002\n'
        'osa_turn_cost_usd_sum{tier="policy"} 0.001\n'
        'osa_turn_cost_usd_count{tier="tracking"} 4.0\n'
        'osa_turn_cost_usd_count{tier="policy"} 2.0\n'
        'osa_llm_prompt_tokens_total{endpoint="tracking-fleet",tier="tracking"} 1200.0\n'
    )
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text=page))
    async with httpx.AsyncClient(transport=transport, base_url="http://agent") as http:
        assert await scrape_costs(http) == (pytest.approx(0.003), 1200.0, 6.0)
