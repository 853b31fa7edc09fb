"""Turn traces: built while a turn runs, scrubbed of PII in every field, kept in Redis Streams
with retention, and read back by the CLI. (OpenTelemetry spans: tests/test_tracing.py.)"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from redis.asyncio import Redis

from app.guardrails import Guardrail
from app.observability.trace_recorder import TraceRecorder
from app.observability.trace_store import TraceRetention, TraceStore, session_key, tenant_key
from app.observability.traces import TRACE_KEY, TraceBuilder, TurnTrace, scrub_trace
from app.traces import main as traces_cli

# Fictional people and contact details (reserved ranges and example domains).
NAME = "Riley Quimby"
EMAIL = "riley.quimby77@example.com"
PHONE = "+44 7700 900321"
CARD = "4111 1111 1111 1111"
PII = (NAME, EMAIL, PHONE, CARD)


def builder(message: str = "where is ORD-1234567?", client: str = "acme") -> TraceBuilder:
    return TraceBuilder(
        client_id=client,
        session_id=f"s{uuid.uuid4().hex[:12]}",
        customer_id="CUS-000001",
        message=message,
        started=time.perf_counter(),
    )


def tool_data(name: str, output: Any, ms: float = 12.5, ok: bool = True) -> dict[str, Any]:
    return {
        "name": name,
        "ok": ok,
        "arguments": {"awb": "AWB-1000000001"},
        TRACE_KEY: {"ms": ms, "output": output},
    }


def full_trace(pii: bool = False) -> TurnTrace:
    who = f" {NAME} ({EMAIL}, {PHONE}, card {CARD})" if pii else ""
    b = builder(f"where is ORD-1234567?{who}")
    b.add_latency("guardrail", 9.0)
    b.add_latency("hydration", 4.0)
    b.add_latency("routing", 6.0)
    b.trace.prompt = f"## Customer\ntier: Gold\nnote:{who}"
    b.trace.intent, b.trace.route, b.trace.confidence = "order_status", "tracking", 0.93
    b.tool(
        tool_data(
            "get_order_status",
            {
                "awb": "AWB-1000000001",
                "signed_by": NAME if pii else "Front desk",
                "status": "delivered",
            },
        )
    )
    b.tool(
        tool_data(
            "search_policy_kb",
            {
                "chunks": [
                    {
                        "chunk_id": "c1",
                        "source_doc": "acme/returns.md",
                        "section": "Windows",
                        "score": 0.81,
                    }
                ]
            },
            ms=30.0,
        )
    )
    b.tool(tool_data("get_eta", {"code": "upstream_unavailable"}, ok=False))
    b.trace.decisions.append(f"router: order_status 0.93 (knn){who}")
    return b.finish(response=f"It was delivered.{who}", ttft_ms=40.0, outcome="completed")


def test_the_builder_lays_out_tools_retrieval_and_the_latency_breakdown() -> None:
    trace = full_trace()
    assert [c.name for c in trace.tool_calls] == ["get_order_status", "search_policy_kb", "get_eta"]
    assert trace.tool_calls[0].output["status"] == "delivered"
    assert trace.tool_calls[2].ok is False
    assert [c.chunk_id for c in trace.retrieved] == ["c1"] and trace.retrieved[0].score == 0.81
    latency = trace.latency_ms
    assert latency["retrieval"] == 30.0 and latency["tools"] == 25.0  # search counts as retrieval
    assert latency["ttft"] == 40.0 and latency["generation"] == round(
        max(0.0, latency["total"] - 40.0), 2
    )
    assert {"guardrail", "hydration", "routing"} <= set(latency)


@pytest.fixture(scope="module")
def guard() -> Guardrail:
    return Guardrail()


async def test_no_pii_in_any_field_at_rest(guard: Guardrail, redis: Redis) -> None:
    async def scrub(text: str) -> str:
        return await asyncio.to_thread(guard.scrub, text)

    store = TraceStore(redis)
    recorder = TraceRecorder(store, scrub)
    trace = full_trace(pii=True)
    recorder.record_later(trace)
    await recorder.drain()
    assert recorder.failures == 0

    raw = await redis.xrange(session_key(trace.client_id, trace.session_id))
    at_rest = b" ".join(v for _, fields in raw for v in fields.values()).decode()
    for value in PII:
        assert value not in at_rest
    (stored,) = await store.for_session(trace.client_id, trace.session_id)
    # What the agent works with survives: ids, statuses, the answer's own words.
    assert (
        "ORD-1234567" in stored.message and "<PERSON>" in stored.tool_calls[0].output["signed_by"]
    )
    assert stored.tool_calls[0].output["status"] == "delivered"
    assert stored.response.startswith("It was delivered.")
    assert stored.retrieved[0].chunk_id == "c1"


async def test_scrubbing_leaves_ids_codes_and_timestamps_alone() -> None:
    seen: list[str] = []

    async def scrub(text: str) -> str:
        seen.append(text)
        return text

    await scrub_trace(full_trace(), scrub)
    for value in ("ORD-1234567", "AWB-1000000001", "delivered", "acme/returns.md"[:3]):
        assert value not in seen
    assert "It was delivered." in seen  # free text is scrubbed


async def test_retention_by_length_and_age(redis: Redis) -> None:
    store = TraceStore(redis, TraceRetention(ttl_s=120, session_maxlen=5, tenant_maxlen=7))
    client = f"t{uuid.uuid4().hex[:8]}"
    session = "s-retained"
    for n in range(12):
        trace = full_trace()
        await store.append(
            trace.model_copy(
                update={"client_id": client, "session_id": session, "message": f"turn {n}"}
            )
        )
    kept = await store.for_session(client, session)
    assert [t.message for t in kept] == [f"turn {n}" for n in range(7, 12)]  # newest 5, in order
    assert 0 < await redis.ttl(session_key(client, session)) <= 120
    assert await redis.xlen(tenant_key(client)) == 7
    recent = await store.recent_sessions(client, limit=3)
    assert [r["session_id"] for r in recent] == [session] * 3


async def test_another_tenants_session_has_no_traces(redis: Redis) -> None:
    store = TraceStore(redis)
    trace = full_trace()
    await store.append(trace)
    assert await store.for_session("someone-else", trace.session_id) == []


async def test_a_failing_store_never_fails_the_turn() -> None:
    class Down:
        def pipeline(self, **_: Any) -> Any:
            raise ConnectionError("redis is away")

    async def scrub(text: str) -> str:
        return text

    recorder = TraceRecorder(TraceStore(Down()), scrub)  # type: ignore[arg-type]
    await recorder.record(full_trace())
    assert recorder.failures == 1


# ---------------------------------------------------------------- the CLI


async def test_the_cli_shows_a_sessions_turns(
    redis: Redis,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    trace = full_trace()
    await TraceStore(redis).append(trace)
    monkeypatch.setenv("REDIS_URL", redis_url)

    code = await asyncio.to_thread(traces_cli, ["show", trace.client_id, trace.session_id])

    out = capsys.readouterr().out
    assert code == 0
    assert f"turn {trace.trace_id}" in out and "tool get_order_status ok" in out
    assert "chunk c1 acme/returns.md" in out and "latency ms: guardrail 9" in out
    missing = await asyncio.to_thread(traces_cli, ["show", trace.client_id, "no-such-session"])
    assert missing == 1


async def test_one_batched_scrub_per_trace_with_the_same_result(guard: Guardrail) -> None:
    calls: list[list[str]] = []

    async def scrub(text: str) -> str:
        return await asyncio.to_thread(guard.scrub, text)

    async def scrub_many(texts: list[str]) -> list[str]:
        calls.append(texts)
        return await asyncio.to_thread(guard.scrub_many, texts)

    trace = full_trace(pii=True)
    one_by_one = await scrub_trace(trace, scrub)
    batched = await scrub_trace(trace, scrub, scrub_many)
    assert batched == one_by_one
    (texts,) = calls  # one call for the whole trace
    assert len(texts) == len(set(texts))  # each distinct text once
    assert trace.message in texts and NAME in texts  # a repeated leaf (signed_by) sent once
    assert "ORD-1234567" not in texts and trace.session_id not in texts


async def test_a_scrubber_that_loses_texts_fails_the_record_not_the_turn(redis: Redis) -> None:
    async def scrub(text: str) -> str:
        return text

    async def short(texts: list[str]) -> list[str]:
        return texts[:-1]

    recorder = TraceRecorder(TraceStore(redis), scrub, scrub_many=short)
    trace = full_trace(pii=True)
    await recorder.record(trace)
    assert recorder.failures == 1  # nothing half-scrubbed was stored
    assert await TraceStore(redis).for_session(trace.client_id, trace.session_id) == []
