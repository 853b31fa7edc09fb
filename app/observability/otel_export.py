"""OpenTelemetry export of turn traces, when an OTLP endpoint is configured.

The standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) switches
it on; then each stored turn also becomes one OTel trace: a root `chat.turn` span with the
phases (guardrail, hydration, routing, ttft, generation) and one span per tool call as
children, over OTLP/HTTP with the SDK's batch processor. Records arrive already scrubbed.
"""

from __future__ import annotations

import os
from typing import Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Tracer, set_span_in_context

from app.observability.traces import TurnTrace

SERVICE_NAME = "order-support-agent"
_ENDPOINT_VARS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
# Phases laid out one after the other from the turn's start, in the order the pipeline runs.
_SEQUENTIAL_PHASES = ("guardrail", "hydration", "routing")


def otlp_configured() -> bool:
    return any(os.environ.get(name) for name in _ENDPOINT_VARS)


class OtelTraceExporter:
    def __init__(self, exporter: SpanExporter | None = None) -> None:
        if exporter is None:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter()  # endpoint, headers and timeout from OTEL_* variables
        self.provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
        self.processor = BatchSpanProcessor(exporter)
        self.provider.add_span_processor(self.processor)
        self.tracer: Tracer = self.provider.get_tracer("app.observability")

    def export(self, trace: TurnTrace) -> None:
        start_ns = int(trace.at.timestamp() * 1e9)
        total_ms = trace.latency_ms.get("total", 0.0)
        attributes: dict[str, Any] = {
            "osa.trace_id": trace.trace_id,
            "osa.client_id": trace.client_id,
            "osa.session_id": trace.session_id,
            "osa.intent": trace.intent or "",
            "osa.route": trace.route or "",
            "osa.outcome": trace.outcome,
            "osa.blocked": trace.blocked,
            "osa.tool_calls": len(trace.tool_calls),
            "osa.retrieved_chunks": len(trace.retrieved),
        }
        root = self.tracer.start_span("chat.turn", start_time=start_ns, attributes=attributes)
        context = set_span_in_context(root)
        offset_ms = 0.0
        for phase in _SEQUENTIAL_PHASES:
            ms = trace.latency_ms.get(phase)
            if ms is None:
                continue
            self._child(f"chat.{phase}", start_ns, offset_ms, ms, context, {})
            offset_ms += ms
        worker_start = offset_ms
        if (ttft := trace.latency_ms.get("ttft")) is not None:
            self._child(
                "chat.ttft", start_ns, worker_start, max(0.0, ttft - worker_start), context, {}
            )
        for call in trace.tool_calls:
            ms = call.ms or 0.0
            begin = max(0.0, (call.offset_ms or worker_start) - ms)
            self._child(
                f"tool.{call.name}",
                start_ns,
                begin,
                ms,
                context,
                {"osa.tool.ok": call.ok, "osa.tool.name": call.name},
            )
        root.end(end_time=start_ns + int(total_ms * 1e6))

    def _child(
        self,
        name: str,
        start_ns: int,
        offset_ms: float,
        ms: float,
        context: Any,
        attributes: dict[str, Any],
    ) -> None:
        begin = start_ns + int(offset_ms * 1e6)
        span = self.tracer.start_span(
            name, context=context, start_time=begin, attributes=attributes
        )
        span.end(end_time=begin + int(ms * 1e6))

    def flush(self, timeout_ms: int = 5000) -> bool:
        return self.processor.force_flush(timeout_ms)

    def shutdown(self) -> None:
        self.provider.shutdown()
