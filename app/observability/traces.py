"""One trace record per chat turn: what was asked of the system, what it did, what it answered,
and where the time went.

A `TurnTrace` holds the hydrated prompt (context block and the scrubbed message), the tool
calls in order with their inputs and outputs, the retrieved chunks with their scores, the
final response, the decision trace, and the latency breakdown (guardrail, hydration, routing,
retrieval, TTFT, generation, tool round-trips). `TraceBuilder` collects it while the pipeline
runs a turn; `scrub_trace` passes every free-text leaf through the PII scrubber before the
record is stored or exported, so nothing unscrubbed is ever at rest (tool outputs such as
`signed_by` can name a person even though the customer's message was already scrubbed).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

# The key of a tool event's data that only the trace keeps (see app/agents/base.trace_detail).
TRACE_KEY = "trace"

# Free text larger than this is cut before it is stored: traces are for reading, not archives.
MAX_TEXT_CHARS = 4000
MAX_TOOL_OUTPUT_CHARS = 2000

LATENCY_PHASES = (
    "guardrail",
    "hydration",
    "routing",
    "retrieval",
    "ttft",
    "generation",
    "tools",
    "total",
)


class ToolSpan(BaseModel):
    name: str
    ok: bool
    arguments: dict[str, Any] = Field(default_factory=dict)
    output: Any = None  # the tool's output as JSON (truncated), or the failure code
    ms: float | None = None
    offset_ms: float | None = None  # since the turn started (as seen by the ingress)


class RetrievedChunk(BaseModel):
    chunk_id: str
    source_doc: str
    section: str = ""
    score: float | None = None  # fused retrieval score
    rerank_score: float | None = None


class TurnTrace(BaseModel):
    trace_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    variant: str = "production"
    client_id: str
    session_id: str
    customer_id: str
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    message: str  # scrubbed by the guardrail
    prompt: str | None = None  # the hydrated context block the workers saw
    blocked: bool = False
    intent: str | None = None
    route: str | None = None
    confidence: float | None = None
    tool_calls: list[ToolSpan] = Field(default_factory=list)
    retrieved: list[RetrievedChunk] = Field(default_factory=list)
    response: str = ""
    decisions: list[str] = Field(default_factory=list)
    latency_ms: dict[str, float] = Field(default_factory=dict)
    outcome: str = "completed"


class TraceBuilder:
    """Collects one turn's trace as the pipeline runs it (monotonic clock from `started`)."""

    def __init__(
        self,
        *,
        client_id: str,
        session_id: str,
        customer_id: str,
        message: str,
        started: float,
        variant: str = "production",
    ) -> None:
        self.started = started
        self._phase_start: dict[str, float] = {}
        self.trace = TurnTrace(
            variant=variant,
            client_id=client_id,
            session_id=session_id,
            customer_id=customer_id,
            message=message,
        )

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 2)

    def begin(self, phase: str) -> None:
        self._phase_start[phase] = time.perf_counter()

    def end(self, phase: str) -> None:
        begun = self._phase_start.pop(phase, None)
        if begun is not None:
            self.add_latency(phase, (time.perf_counter() - begun) * 1000)

    def add_latency(self, phase: str, ms: float) -> None:
        self.trace.latency_ms[phase] = round(self.trace.latency_ms.get(phase, 0.0) + ms, 2)

    def tool(self, data: dict[str, Any]) -> None:
        """A worker's tool event, with the internal `trace` part the pipeline strips off it."""
        detail = data.get(TRACE_KEY) if isinstance(data.get(TRACE_KEY), dict) else {}
        ms = detail.get("ms")
        output = detail.get("output", data.get("code"))
        if data.get("name") == "search_policy_kb" and isinstance(output, dict):
            # Retrieval is its own phase in the breakdown, with its ranked chunks.
            self.retrieval({"chunks": output.get("chunks"), "ms": ms})
            ms_for_tools = None
        else:
            ms_for_tools = ms
        self.trace.tool_calls.append(
            ToolSpan(
                name=str(data.get("name", "unknown")),
                ok=bool(data.get("ok")),
                arguments=data.get("arguments") if isinstance(data.get("arguments"), dict) else {},
                output=output,
                ms=ms,
                offset_ms=self.elapsed_ms(),
            )
        )
        if isinstance(ms_for_tools, int | float):
            self.add_latency("tools", float(ms_for_tools))

    def retrieval(self, data: dict[str, Any]) -> None:
        for chunk in data.get("chunks") or ():
            if isinstance(chunk, dict) and chunk.get("chunk_id"):
                self.trace.retrieved.append(RetrievedChunk.model_validate(chunk))
        if isinstance(data.get("ms"), int | float):
            self.add_latency("retrieval", float(data["ms"]))

    def finish(self, *, response: str, ttft_ms: float | None, outcome: str) -> TurnTrace:
        total = self.elapsed_ms()
        self.trace.response = response[:MAX_TEXT_CHARS]
        self.trace.outcome = outcome
        self.trace.latency_ms["total"] = total
        if ttft_ms is not None:
            self.trace.latency_ms["ttft"] = ttft_ms
            self.trace.latency_ms["generation"] = round(max(0.0, total - ttft_ms), 2)
        return self.trace


# ---------------------------------------------------------------- scrubbing before storage


class Scrub(Protocol):
    """One text through the PII scrubber; `protected`, when given, are ids it keeps (only
    passed when there are any, so a scrubber that takes the text alone still works)."""

    def __call__(self, text: str, protected: list[str] | None = None, /) -> Awaitable[str]: ...


class ScrubMany(Protocol):
    """Many texts in one call, results in the same order: one round trip to the guardrail per
    trace instead of one per leaf (a tracking turn's trace has dozens of free-text leaves).
    `protected[i]`, when given, are the customer's own ids the scrubber keeps in `texts[i]`
    (only passed when some text has any, so a scrubber that takes texts alone still works)."""

    def __call__(
        self, texts: list[str], protected: list[list[str]] | None = None, /
    ) -> Awaitable[list[str]]: ...


# Values that are the system's own vocabulary, never personal data: platform ids and codes,
# enum values, ISO timestamps, hex ids. Everything else that is text (digits-only strings
# included: they can be phone numbers) goes through the scrubber.
_NOT_FREE_TEXT = re.compile(
    r"^(?:[A-Z]{2,5}-[A-Z0-9-]{3,30}|[a-z_]{1,40}"
    r"|\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?|[a-f0-9]{16,64}|.{0,3})$"
)
# Identifiers the platform owns (customer, client, session, trace ids) are pseudonymous keys,
# not personal data: they stay as they are so traces can be found.
_KEY_FIELDS = frozenset({"trace_id", "client_id", "session_id", "customer_id", "at"})


def _needs_scrub(value: str) -> bool:
    return _NOT_FREE_TEXT.match(value) is None


def _free_text(value: Any, into: dict[str, None]) -> None:
    """Every string leaf of `value` that needs scrubbing, once each, in order of appearance."""
    if isinstance(value, str):
        if _needs_scrub(value):
            into.setdefault(value)
    elif isinstance(value, list):
        for item in value:
            _free_text(item, into)
    elif isinstance(value, dict):
        for item in value.values():
            _free_text(item, into)


def _replace(value: Any, clean: dict[str, str]) -> Any:
    if isinstance(value, str):
        return clean.get(value, value)
    if isinstance(value, list):
        return [_replace(v, clean) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, clean) for k, v in value.items()}
    return value


async def scrub_leaves(value: Any, scrub: Scrub) -> Any:
    """The same structure with every free-text string passed through `scrub`."""
    found: dict[str, None] = {}
    _free_text(value, found)
    clean = {text: await scrub(text) for text in found}
    return _replace(value, clean)


async def scrub_trace(
    trace: TurnTrace,
    scrub: Scrub,
    scrub_many: ScrubMany | None = None,
    protected: Sequence[str] = (),
) -> TurnTrace:
    """Every free-text field and leaf of a trace through the PII scrubber, each distinct text
    once; with `scrub_many`, all of them in a single call. `protected`: the turn's own ids
    (the customer's AWBs and order ids from hydration), kept as the message's screening kept
    them, so a bare AWB is not stored as a phone number."""
    (clean,) = await scrub_traces([trace], scrub, scrub_many, [protected])
    return clean


async def scrub_traces(
    traces: Sequence[TurnTrace],
    scrub: Scrub,
    scrub_many: ScrubMany | None = None,
    protected: Sequence[Sequence[str]] | None = None,
) -> list[TurnTrace]:
    """`scrub_trace` for several traces, each distinct text of all of them once; with
    `scrub_many`, in a single call (turns that end together share one trip to the scrubber).
    `protected[i]` is `scrub_trace`'s `protected` for `traces[i]`; a text several traces share
    keeps the ids of all of them (it is scrubbed once, for all of them)."""
    if protected is not None and len(protected) != len(traces):
        raise ValueError(f"{len(protected)} protected lists for {len(traces)} traces")
    dumped = [trace.model_dump(mode="json") for trace in traces]
    found: dict[str, dict[str, None]] = {}  # text -> the union of its traces' ids, in order
    for i, data in enumerate(dumped):
        own = protected[i] if protected is not None else ()
        texts_here: dict[str, None] = {}
        for key, value in data.items():
            if key not in _KEY_FIELDS:
                _free_text(value, texts_here)
        for text in texts_here:
            found.setdefault(text, {}).update(dict.fromkeys(own))
    texts = list(found)
    kept = [list(found[text]) for text in texts]
    any_kept = any(kept)
    if scrub_many is not None and texts:
        cleaned = await (scrub_many(texts, kept) if any_kept else scrub_many(texts))
        if len(cleaned) != len(texts):
            raise ValueError(f"scrub_many returned {len(cleaned)} texts for {len(texts)}")
    else:
        cleaned = [
            await _scrub_one(scrub, text, ids) for text, ids in zip(texts, kept, strict=True)
        ]
    clean = dict(zip(texts, cleaned, strict=True))
    return [
        TurnTrace.model_validate(
            {k: v if k in _KEY_FIELDS else _replace(v, clean) for k, v in data.items()}
        )
        for data in dumped
    ]


async def _scrub_one(scrub: Scrub, text: str, protected: list[str]) -> str:
    # The ids only when there are any: a one-argument `scrub` still serves traces without.
    return await (scrub(text, protected) if protected else scrub(text))


def truncate_output(output: Any) -> Any:
    """A tool output small enough to store: whole when short, else its JSON text cut."""
    text = json.dumps(output, default=str, separators=(",", ":"))
    if len(text) <= MAX_TOOL_OUTPUT_CHARS:
        return output
    return text[:MAX_TOOL_OUTPUT_CHARS] + "…"
