"""What one worker turn leaves behind, gathered from its events as they stream past.

The pipeline forwards a worker's events to the customer; this collects, on the way, what the
session, the trace and the metrics need from them: the reply text, the tool calls, the
decision trace, model usage and cost, the time to the first visible token, a proposal
awaiting confirmation, and how the turn ended.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from app.agents.events import ChatEvent, EventType
from app.llm.client import Usage
from app.observability import metrics
from app.observability.traces import TRACE_KEY, TraceBuilder
from app.sessions.models import ToolCallRecord

log = logging.getLogger("app.agents.pipeline")

# How much of a turn's tool calls and decisions the session and the trace keep.
KEPT_PER_TURN = 20


@dataclass
class WorkerTurn:
    tier: str
    intent: str
    started: float
    trace: TraceBuilder
    decisions: list[str] = field(default_factory=list)
    reply: list[str] = field(default_factory=list)
    calls: list[ToolCallRecord] = field(default_factory=list)
    ttft_ms: float | None = None
    proposal: dict[str, Any] | None = None
    cost_usd: float = 0.0
    generated_tokens: int = 0
    outcome: str = "completed"

    def observe(self, event: ChatEvent) -> ChatEvent | None:
        """Take what the turn needs from an event; the event to forward, or None for one that
        is internal (usage, decisions)."""
        if event.type is EventType.USAGE:
            line, usage, cost = _record_usage(event)
            self.decisions.append(line)
            self.cost_usd += cost
            self.generated_tokens += usage.completion_tokens
            return None
        if event.type is EventType.DECISION:
            self.decisions.append(_decision_line(event))
            return None
        if event.type is EventType.TOKEN:
            if self.ttft_ms is None and event.data.get("text"):
                ttft_s = time.perf_counter() - self.started
                metrics.observe_ttft(self.tier, ttft_s)
                self.ttft_ms = round(ttft_s * 1000, 1)
            self.reply.append(str(event.data.get("text", "")))
        elif event.type is EventType.TOOL:
            self.trace.tool(event.data)
            # Tool outputs are for the trace only: the client gets name, status, arguments.
            event = event.model_copy(
                update={"data": {k: v for k, v in event.data.items() if k != TRACE_KEY}}
            )
            self.calls.append(_tool_record(event))
        elif event.type is EventType.ESCALATED:
            self.decisions.append(f"escalated: {event.data.get('ticket_id')}")
            metrics.count_escalation(self.tier)
            self.outcome = "escalated"
        elif event.type is EventType.ERROR and self.outcome == "completed":
            self.outcome = "failed"
        elif event.type is EventType.CONFIRMATION_REQUIRED:
            self.proposal = {**event.data, "intent": self.intent}
        return event

    @property
    def text(self) -> str:
        return "".join(self.reply)

    @property
    def kept_calls(self) -> list[ToolCallRecord]:
        return self.calls[-KEPT_PER_TURN:]

    @property
    def kept_decisions(self) -> list[str]:
        return self.decisions[-KEPT_PER_TURN:]

    def count(self, elapsed_s: float) -> None:
        """The turn's metrics, once it has ended."""
        metrics.observe_turn(self.tier, elapsed_s)
        metrics.count_turn_outcome(self.tier, self.outcome)
        metrics.observe_turn_cost(self.tier, self.cost_usd)
        if self.ttft_ms is not None:
            metrics.observe_output_rate(
                self.tier, self.generated_tokens, elapsed_s - self.ttft_ms / 1000
            )


def _record_usage(event: ChatEvent) -> tuple[str, Usage, float]:
    """Count a model call's tokens; its line for the turn's decision trace, usage and cost."""
    data = event.data
    usage = Usage(
        prompt_tokens=int(data.get("prompt_tokens") or 0),
        completion_tokens=int(data.get("completion_tokens") or 0),
        cached_prompt_tokens=data.get("cached_prompt_tokens"),
    )
    cost = metrics.record_usage(str(data.get("tier")), str(data.get("endpoint")), usage)
    line = (
        f"model: {data.get('prompt_ref')} via {data.get('endpoint')} "
        f"prompt={usage.prompt_tokens} cached={usage.cached_prompt_tokens} "
        f"completion={usage.completion_tokens}"
    )
    return line, usage, cost


def _decision_line(event: ChatEvent) -> str:
    """A worker's decision for the trace; answers flagged for review are logged as well."""
    data = event.data
    line = f"{data.get('tier')}: {data.get('text')}"
    if data.get("review"):
        log.warning("flagged for review: %s", line)
        line = f"review: {line}"
    return line[:300]


def _tool_record(event: ChatEvent) -> ToolCallRecord:
    arguments = event.data.get("arguments")
    return ToolCallRecord(
        tool=str(event.data.get("name", "unknown"))[:64],
        arguments=arguments if isinstance(arguments, dict) else {},
        ok=bool(event.data.get("ok")),
        summary=str(event.data.get("summary", event.data.get("code", "")))[:500],
    )
