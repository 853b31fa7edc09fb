"""A real OTLP/HTTP trace collector for tests: an HTTP server that keeps every span it is sent."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span


class Collected:
    def __init__(self) -> None:
        self.url = ""
        self.requests: list[tuple[str, str, ExportTraceServiceRequest]] = []
        self._lock = threading.Lock()

    def add(self, path: str, content_type: str, body: bytes) -> None:
        with self._lock:
            self.requests.append((path, content_type, ExportTraceServiceRequest.FromString(body)))

    def spans(self) -> list[tuple[dict[str, str], Span]]:
        """(resource attributes, span) for every span received."""
        with self._lock:
            found = []
            for _, _, request in self.requests:
                for resource_spans in request.resource_spans:
                    resource = {
                        a.key: a.value.string_value for a in resource_spans.resource.attributes
                    }
                    for scope in resource_spans.scope_spans:
                        found.extend((resource, span) for span in scope.spans)
            return found


@contextmanager
def otlp_collector() -> Iterator[Collected]:
    collected = Collected()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            collected.add(self.path, self.headers.get("Content-Type", ""), body)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    collected.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield collected
    finally:
        server.shutdown()


def attributes(span: Span) -> dict[str, Any]:
    return {
        a.key: a.value.string_value or a.value.int_value or a.value.bool_value
        for a in span.attributes
    }
