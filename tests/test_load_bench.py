"""evals.load without a service: the traffic mix, the session scripts, the loopback guard,
the summary and ratios, and reading cost figures from a /metrics page."""

from __future__ import annotations

import random
import time
from collections import Counter

import httpx
import pytest

from app.platform.client import CustomerRef
from evals.load import (
    MIXES,
    LevelResult,
    SeededCustomer,
    TurnSample,
    bottleneck,
    level_budget,
    parse_args,
    parse_levels,
    phase_breakdown,
    pick_kind,
    ratios,
    require_loopback,
    scrape_costs,
    session_script,
    trace_phases,
)

CUSTOMER = SeededCustomer(
    CustomerRef("northwind", "CUS-1"),
    ("ORD-1000001", "ORD-1000003"),
    ("ORD-1000002",),
    ("ORD-1000003",),
)


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


def test_the_tracking_mix_asks_only_about_orders_on_the_way() -> None:
    rng = random.Random(5)
    assert {pick_kind(rng, MIXES["tracking"]) for _ in range(200)} == {"fast"}
    for _ in range(20):
        script = session_script("fast", CUSTOMER, rng)
        assert len(script) == 4
        assert "ORD-1000003" in script[0] and "ORD-1000003" in script[-1]
        assert not any("ORD-1000001" in line or "refund" in line for line in script)
    # A customer with nothing on the way still gets a script (about any of their orders).
    idle = SeededCustomer(CustomerRef("northwind", "CUS-2"), ("ORD-1000009",), ())
    assert "ORD-1000009" in session_script("fast", idle, rng)[0]


def test_concurrency_levels_and_the_turn_budget() -> None:
    assert parse_levels("1,8,32,50,64") == [1, 8, 32, 50, 64]
    for bad in ("", "0", "8,-1", "1,1000"):
        with pytest.raises(SystemExit):
            parse_levels(bad)
    with pytest.raises(ValueError):
        parse_levels("1,x")
    args = parse_args(["--mix", "tracking", "--concurrency", "1,64"])
    assert args.mix == "tracking" and args.max_turns is None
    assert level_budget(args, 1).max_turns == 40  # a floor, so one session still gives a figure
    assert level_budget(args, 64).max_turns == 384  # 6 turns per concurrent session
    assert level_budget(parse_args(["--max-turns", "10"]), 64).max_turns == 10
    with pytest.raises(SystemExit):
        parse_args(["--mix", "policy-only"])


def test_phases_of_one_turn_from_its_trace() -> None:
    latency = {"guardrail": 40.0, "hydration": 10.0, "routing": 5.0, "tools": 20.0}
    latency.update({"ttft": 100.0, "total": 120.0, "generation": 20.0, "retrieval": 1.0})
    phases = trace_phases(latency, e2e_s=0.200)
    assert phases["worker"] == pytest.approx(25.0)  # ttft less the phases before it and tools
    assert phases["outside"] == pytest.approx(80.0)  # client's 200 ms less the trace's 120
    assert "generation" not in phases and "retrieval" not in phases
    # A trace without ttft (a blocked turn) has no worker part; a clock skew is never negative.
    assert trace_phases({"guardrail": 3.0, "total": 5.0}, e2e_s=0.004) == {
        "guardrail": 3.0,
        "total": 5.0,
        "outside": 0.0,
    }


def test_the_breakdown_names_the_costliest_phase() -> None:
    def turn(guard: float, outside: float, ok: bool = True) -> TurnSample:
        sample = TurnSample("fast", 0.1, 0.2, ok)
        sample.phases_ms = {"guardrail": guard, "hydration": 5.0, "total": 50.0}
        sample.phases_ms.update({"ttft": 40.0, "outside": outside})
        return sample

    samples = [turn(10.0 * i, 1.0) for i in range(1, 11)]
    samples.append(turn(9999.0, 1.0, ok=False))  # failed turns are not in the breakdown
    samples.append(TurnSample("fast", 0.1, 0.2, True))  # a turn whose trace was not found
    phases = phase_breakdown(samples)
    assert phases is not None
    assert phases["guardrail"]["turns"] == 10
    assert phases["guardrail"]["p50"] == 55.0 and phases["guardrail"]["mean"] == 55.0
    assert phases["guardrail"]["p95"] == pytest.approx(95.5)
    assert "tools" not in phases
    assert bottleneck(phases) == "guardrail"
    # ttft and total contain the other phases: they are never named.
    assert bottleneck({"ttft": _p(900), "total": _p(1000), "hydration": _p(3)}) == "hydration"
    queued = [turn(1.0, 500.0) for _ in range(3)]
    assert bottleneck(phase_breakdown(queued)) == "outside"
    assert phase_breakdown([TurnSample("fast", 0.1, 0.2, True)]) is None
    assert bottleneck(None) is None


def _p(mean: float) -> dict[str, float]:
    return {"p50": mean, "p95": mean, "mean": mean, "turns": 1}


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
    assert summary["errors"] == 1 and summary["model_free_share"] is None
    assert summary["e2e_p50_ms"] == summary["e2e_p99_ms"] == 500.0  # failed turn left out
    assert summary["phases_ms"] is None and summary["bottleneck"] is None
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


def test_turns_without_a_model_call_are_counted_from_the_traces() -> None:
    samples = [TurnSample("fast", 0.1, 0.2, True) for _ in range(4)]
    for sample, calls in zip(samples, (0, 0, 1, None), strict=True):
        sample.model_calls = calls
    level = LevelResult("agent", 4, 1.0, samples)
    assert level.summary()["model_free_share"] == pytest.approx(
        2 / 3, abs=1e-3
    )  # untraced turn left out


def test_service_cpu_is_read_from_the_runs_processes() -> None:
    import os
    import subprocess
    import sys

    from evals.load import service_cpu_s

    run_id = f"load-test-{os.getpid()}"
    burn = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
    burn += "time.sleep(30)"
    env = {**os.environ, "OSA_RUN_ID": run_id}
    proc = subprocess.Popen([sys.executable, "-c", burn], env=env)
    try:
        deadline = time.monotonic() + 20
        used = 0.0
        while time.monotonic() < deadline and used < 0.3:
            used = service_cpu_s(run_id) or 0.0
            time.sleep(0.1)
        assert 0.3 <= used < 5.0  # the marked process's CPU, not the box's
        assert service_cpu_s(f"{run_id}-other") == 0.0
        assert service_cpu_s(None) is None
    finally:
        proc.kill()
        proc.wait()


def test_cpu_per_turn_and_cores_busy_in_the_summary() -> None:
    level = LevelResult("agent", 8, 10.0, [TurnSample("fast", 0.05, 0.1, True)] * 100)
    level.service_cpu_s = 5.0
    summary = level.summary()
    assert summary["service_cpu_ms_per_turn"] == 50.0 and summary["service_cores_busy"] == 0.5
    assert LevelResult("agent", 1, 1.0, []).summary()["service_cpu_ms_per_turn"] is None


def test_processes_are_named_by_their_deployment() -> None:
    from evals.load import process_kind

    assert process_kind("ray::ServeReplica:support:Guardrail", "ray::ServeRepli") == "Guardrail"
    replica = "ray::SERVE_REPLICA::support#Ingress#x1:ServeReplica:support:Ingress.handle_request"
    assert process_kind(replica, "ray::SERVE_REP") == "Ingress"
    assert process_kind("ray::ProxyActor.receive_asgi_messages", "ray::ProxyActor") == "ProxyActor"
    assert process_kind(".venv/bin/python -m app.platform serve --port 1", "python") == "platform"
    assert process_kind("/x/valkey-server 127.0.0.1:6390", "valkey-server") == "redis"
    assert process_kind("/x/raylet --node", "raylet") == "raylet"
