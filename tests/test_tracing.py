"""Real OpenTelemetry spans: the ASGI app, httpx and redis-py instrumented, the trace context
carried across the handle from the ingress to a worker, every exported attribute scrubbed.

Read from the SDK's in-memory exporter (behind the same scrubbing exporter OTLP gets), and
once over OTLP/HTTP to a real HTTP collector."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from app.agents.pipeline import ChatPipeline
from app.api.auth import TokenService
from app.api.http import create_chat_app
from app.observability import tracing
from app.platform.client import CustomerRef
from app.platform.contract import ShipmentStatus
from deployments.adapters import traced_request
from deployments.workers import TrackingWorker
from tests.fixtures import SeedIndex
from tests.negotiation_harness import hydrate
from tests.otlp_collector import Collected, attributes, otlp_collector
from tests.platform_server import API_KEY, RunningPlatform
from tests.test_chat_api import bearer, new_session, say
from tests.test_tracking_agent import request as worker_request

pytestmark = pytest.mark.slow

EMAIL = "jordan.vance42@example.com"  # fictional


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    # Synchronous export: every ended span is readable at once.
    assert tracing.setup_tracing("test", exporter, batch=False) is not None
    yield exporter
    tracing.shutdown_tracing()


def by_id(finished: tuple[ReadableSpan, ...]) -> dict[int, ReadableSpan]:
    return {s.context.span_id: s for s in finished}


def ancestors(span: ReadableSpan, index: dict[int, ReadableSpan]) -> list[str]:
    names = []
    while span.parent is not None and span.parent.span_id in index:
        span = index[span.parent.span_id]
        names.append(span.name)
    return names


def url_of(span: ReadableSpan) -> object:
    attributes = span.attributes or {}
    return attributes.get("url.full", attributes.get("http.url", ""))


def every_value(span: ReadableSpan) -> list[str]:
    values = [str(v) for v in (span.attributes or {}).values()]
    values += [str(v) for e in span.events for v in (e.attributes or {}).values()]
    return [*values, span.name, span.status.description or ""]


async def test_a_chat_turn_is_one_trace_of_nested_spans_with_real_durations(
    spans: InMemorySpanExporter,
    pipeline: ChatPipeline,
    tokens: TokenService,
    seed: SeedIndex,
    platform_server: RunningPlatform,
) -> None:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    # Built after tracing is on, as the ingress builds it.
    app = create_chat_app(pipeline, tokens)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://agent"
    ) as api:
        headers = bearer(tokens, pick.who.customer_id, pick.who.client_id)
        session = await new_session(api, headers)
        spans.clear()
        events = await say(
            api, headers, session, f"where is {pick.shipment.awb}? mail me at {EMAIL}"
        )
    await pipeline.traces.drain()
    assert events[-1][0] == "done"
    finished = spans.get_finished_spans()
    index = by_id(finished)
    server = next(s for s in finished if s.kind is SpanKind.SERVER and "/messages" in s.name)
    assert server.attributes is not None
    assert (
        server.attributes.get("http.method", server.attributes.get("http.request.method")) == "POST"
    )
    assert server.attributes["osa.route"] == "tracking"
    stored = await pipeline.traces.store.for_session(pick.who.client_id, session)
    assert server.attributes["osa.trace_id"] == stored[-1].trace_id
    turn = [s for s in finished if s.context.trace_id == server.context.trace_id]
    platform_calls = [
        s
        for s in turn
        if s.kind is SpanKind.CLIENT
        and str(url_of(s)).startswith(f"{platform_server.base_url}/v1/")
    ]
    redis_calls = [s for s in turn if (s.attributes or {}).get("db.system") == "redis"]
    # The worker reads the platform; the session lives in Redis.
    assert platform_calls and redis_calls
    for span in (*platform_calls, *redis_calls):
        assert server.name in ancestors(span, index)
        assert span.end_time is not None and span.start_time is not None
        assert span.end_time > span.start_time
    # Real timings: the platform calls of the turn lie within the request's span (the turn's
    # trace record is written to Redis after the answer, so some redis spans end later).
    for span in platform_calls:
        assert server.start_time <= span.start_time and span.end_time <= server.end_time
    # Calls happen one after another, not laid end to end from a made-up start.
    starts = sorted(s.start_time for s in platform_calls)
    assert len(set(starts)) == len(starts)
    # Nothing the customer wrote, no email, no query string, no redis argument is exported.
    for span in turn:
        for value in every_value(span):
            assert EMAIL not in value and "where is" not in value
            assert "?" not in value or span.kind is not SpanKind.CLIENT
        statement = (span.attributes or {}).get("db.statement")
        assert statement is None or " " not in str(statement)


async def test_the_worker_span_nests_under_the_ingress_call_across_the_handle(
    spans: InMemorySpanExporter,
    platform_server: RunningPlatform,
    redis_url: str,
    seed: SeedIndex,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The ingress's adapter and the worker deployment's own code on either side; between them
    the request crosses as JSON, as it crosses a Serve handle (Ray itself: test_serve_graph)."""
    monkeypatch.setenv("MILVUS_URI", "off")
    cls = TrackingWorker.func_or_class  # type: ignore[attr-defined]
    replica = cls(
        {
            "platform_url": platform_server.base_url,
            "platform_api_key": API_KEY,
            "redis_url": redis_url,
            "llm_base_url": None,
        }
    )
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    who = CustomerRef(pick.who.client_id, pick.who.customer_id)
    context = await hydrate(replica._deps.platform, who)
    req = worker_request(who, context, f"where is {pick.shipment.awb}?")
    spans.clear()
    try:
        with tracing.client_span("serve TrackingWorker.handle") as call:
            wire = json.loads(json.dumps(traced_request(req)))
        assert call is not None and wire["trace_context"]["traceparent"]
        # Events ready together cross as one list (app/streaming.py).
        events = [e async for batch in replica.handle(wire) for e in batch]
    finally:
        await replica.__del__()
    assert pick.shipment.awb in "".join(e["data"].get("text", "") for e in events)
    finished = spans.get_finished_spans()
    index = by_id(finished)
    worker = next(s for s in finished if s.name == "TrackingWorker.handle")
    assert worker.kind is SpanKind.SERVER
    assert worker.parent is not None and worker.parent.span_id == call.get_span_context().span_id
    assert worker.context.trace_id == call.get_span_context().trace_id
    reads = [
        s
        for s in finished
        if s.kind is SpanKind.CLIENT and str(url_of(s)).startswith(platform_server.base_url)
    ]
    assert reads and all("TrackingWorker.handle" in ancestors(s, index) for s in reads)


def test_scrubbing_keeps_structure_and_drops_text() -> None:
    kept = tracing.scrub_attributes(
        {
            "http.method": "POST",
            "url.full": "https://u:p@platform/v1/orders/ORD-1000001?email=a%40b.example",
            "db.statement": "SET osa:acme:session:s1 hello my card is 4111",
            "http.user_agent": "Mozilla",
            "client.address": "203.0.113.9",
            "osa.route": "tracking",
        }
    )
    assert kept == {
        "http.method": "POST",
        "url.full": "https://platform/v1/orders/ORD-1000001",
        "db.statement": "SET",
        "osa.route": "tracking",
    }


def test_off_without_an_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    assert tracing.setup_tracing("test") is None
    assert tracing.outgoing_context() == {}


# ---------------------------------------------------------------- OTLP, real HTTP


@pytest.fixture
def collector() -> Iterator[Collected]:
    with otlp_collector() as collected:
        yield collected


async def test_spans_reach_an_otlp_collector(
    collector: Collected, platform_server: RunningPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url)
    assert tracing.setup_tracing("test") is not None
    try:
        with tracing.client_span("serve Probe.call"):
            async with httpx.AsyncClient(base_url=platform_server.base_url) as http:
                assert (await http.get("/healthz?probe=1")).status_code == 200
    finally:
        tracing.shutdown_tracing()  # flushes the batch
    assert {path for path, _, _ in collector.requests} == {"/v1/traces"}
    exported = [span for _, span in collector.spans()]
    probe = next(s for s in exported if s.name == "serve Probe.call")
    get = next(s for s in exported if s.name == "GET")
    assert get.parent_span_id == probe.span_id and get.trace_id == probe.trace_id
    assert get.end_time_unix_nano > get.start_time_unix_nano
    urls = [v for k, v in attributes(get).items() if k in ("url.full", "http.url")]
    assert urls and all("probe" not in str(u) for u in urls)
