"""OpenTelemetry spans, recorded as the work happens, when an OTLP endpoint is configured.

The standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) switches
it on, once per process (each Serve replica sets it up in its constructor). Then:

- the chat ASGI app gets a server span per request (opentelemetry-instrumentation-asgi),
- every httpx call (the order platform, the model servers) a client span
  (opentelemetry-instrumentation-httpx), every redis-py command one too (-redis),
- a call from the ingress to a worker deployment a client span whose W3C `traceparent` travels
  inside the request (`WorkerRequest.trace_context`), and the worker's handling a server span
  under it: one trace from the ingress to the worker's platform calls, with real durations.

Spans go out over OTLP/HTTP through the SDK's batch processor. What they carry is scrubbed at
export: only allow-listed, structural attributes (methods, routes, status codes, hosts, the
redis command's name) leave the process, a URL loses its query string, and an exception keeps
its type, never its message (which could quote a customer).

The tracer provider is this module's, never OpenTelemetry's global one: tests install and
remove it, and a process without an endpoint pays nothing.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from opentelemetry import context as otel_context
from opentelemetry import propagate
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import Span, SpanKind, set_span_in_context
from opentelemetry.util.types import AttributeValue
from starlette.applications import Starlette

SERVICE_NAME = "order-support-agent"
_ENDPOINT_VARS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")

# Attributes whose values are structure, never free text: everything else is dropped.
EXPORTED_ATTRIBUTES = frozenset(
    {
        # HTTP, old and stable semantic conventions (the instrumentations emit either)
        "http.method",
        "http.request.method",
        "http.route",
        "http.status_code",
        "http.response.status_code",
        "http.scheme",
        "http.flavor",
        "network.protocol.version",
        "http.url",
        "url.full",
        "http.target",
        "url.path",
        "url.scheme",
        "http.host",
        "http.server_name",
        "server.address",
        "server.port",
        "net.host.name",
        "net.host.port",
        "net.peer.name",
        "net.peer.port",
        "error.type",
        # redis
        "db.system",
        "db.system.name",
        "db.redis.database_index",
        "db.operation",
        "db.operation.name",
        "db.statement",
        # this service's own
        "osa.deployment",
        "osa.trace_id",
        "osa.client_id",
        "osa.route",
        "osa.intent",
    }
)
_URL_ATTRIBUTES = frozenset({"http.url", "url.full", "http.target"})
_EXCEPTION_ATTRIBUTES = frozenset({"exception.type", "exception.escaped"})

_provider: TracerProvider | None = None


def otlp_configured() -> bool:
    return any(os.environ.get(name) for name in _ENDPOINT_VARS)


def tracer_provider() -> TracerProvider | None:
    """This process's provider, or None when tracing is off."""
    return _provider


def setup_tracing(
    deployment: str, exporter: SpanExporter | None = None, *, batch: bool = True
) -> TracerProvider | None:
    """Once per process: spans for httpx and redis from here on, and for the chat app built
    after this. Off (None) unless an OTLP endpoint is configured or an exporter is given."""
    global _provider
    if _provider is not None:
        return _provider
    if exporter is None:
        if not otlp_configured():
            return None
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()  # endpoint, headers and timeout from OTEL_* variables
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    provider = TracerProvider(
        resource=Resource.create({"service.name": SERVICE_NAME, "osa.deployment": deployment})
    )
    scrubbed = ScrubbingExporter(exporter)
    provider.add_span_processor(
        BatchSpanProcessor(scrubbed) if batch else SimpleSpanProcessor(scrubbed)
    )
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    RedisInstrumentor().instrument(tracer_provider=provider)
    _provider = provider
    return provider


def shutdown_tracing() -> None:
    """Flush and stop: the instrumentations are removed (graceful shutdown, tests)."""
    global _provider
    provider, _provider = _provider, None
    if provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    HTTPXClientInstrumentor().uninstrument()
    RedisInstrumentor().uninstrument()
    provider.shutdown()


def trace_requests(app: Starlette) -> None:
    """A server span per request of this app (outermost middleware), when tracing is on."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    # No span per `receive`/`send`: a streamed answer would make one per token.
    app.add_middleware(
        OpenTelemetryMiddleware,  # type: ignore[arg-type]
        tracer_provider=_provider,
        exclude_spans=["receive", "send"],
    )


# ---------------------------------------------------------------- across Serve handles


def outgoing_context() -> dict[str, str]:
    """The current span's W3C trace context (`traceparent`, `tracestate`) as a carrier."""
    carrier: dict[str, str] = {}
    if _provider is not None:
        propagate.inject(carrier)
    return carrier


@contextmanager
def client_span(name: str, **attributes: AttributeValue) -> Iterator[Span | None]:
    """A span around a call to another deployment, current while it runs."""
    if _provider is None:
        yield None
        return
    tracer = _provider.get_tracer("app.observability")
    with tracer.start_as_current_span(name, kind=SpanKind.CLIENT, attributes=attributes) as span:
        yield span


ItemT = TypeVar("ItemT")


async def served(
    name: str,
    carrier: Mapping[str, str],
    stream: AsyncIterator[ItemT],
    **attributes: AttributeValue,
) -> AsyncIterator[ItemT]:
    """A deployment's streamed handling as a server span under the caller's (from `carrier`),
    current while the stream is produced so the calls it makes nest under it."""
    if _provider is None:
        async for item in stream:
            yield item
        return
    parent = propagate.extract(dict(carrier))
    tracer = _provider.get_tracer("app.observability")
    span = tracer.start_span(name, context=parent, kind=SpanKind.SERVER, attributes=attributes)
    token = otel_context.attach(set_span_in_context(span, parent))
    try:
        async for item in stream:
            yield item
    except BaseException as exc:
        span.set_attribute("error.type", type(exc).__name__)
        raise
    finally:
        otel_context.detach(token)
        span.end()


def annotate(**attributes: AttributeValue) -> None:
    """Attributes on the current span (allow-listed ones are exported)."""
    if _provider is None:
        return
    from opentelemetry.trace import get_current_span

    get_current_span().set_attributes(attributes)


# ---------------------------------------------------------------- scrubbing at export


def scrub_attributes(
    attributes: Mapping[str, AttributeValue] | None, allowed: frozenset[str] = EXPORTED_ATTRIBUTES
) -> dict[str, AttributeValue]:
    clean: dict[str, AttributeValue] = {}
    for key, value in (attributes or {}).items():
        if key not in allowed:
            continue
        if key in _URL_ATTRIBUTES and isinstance(value, str):
            value = _without_query(value)
        elif key == "db.statement" and isinstance(value, str):
            # The command's name only: its arguments are keys and values (session text).
            value = value.split(" ", 1)[0]
        clean[key] = value
    return clean


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def scrubbed_span(span: ReadableSpan) -> ReadableSpan:
    events = [
        Event(
            event.name,
            scrub_attributes(event.attributes, _EXCEPTION_ATTRIBUTES),
            event.timestamp,
        )
        for event in span.events
    ]
    status = span.status
    if status.description:
        from opentelemetry.trace import Status

        status = Status(status.status_code)  # a description can quote the failing input
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=scrub_attributes(span.attributes),
        events=events,
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class ScrubbingExporter(SpanExporter):
    """Scrubs every span before the real exporter sees it."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([scrubbed_span(s) for s in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)
