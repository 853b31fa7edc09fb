"""Fold old turns into a running summary that keeps the decision trace (no LLM, deterministic).

Truncating history would forget that a refund was already issued or a ticket opened; this keeps
exactly those facts: order ids mentioned and confirmed, every write with its result, every
escalation with its ticket, intents seen, decisions taken, and how many turns were folded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from app.sessions.models import RunningSummary, ToolCallRecord, Turn
from app.sessions.render import money, one_line
from app.tools.definitions import TOOLS

ESCALATION_TOOL = "escalate_to_human"
# Each capped list keeps its newest entries; what falls off is counted in `omitted`.
MAX_ENTRIES = 50
MAX_INTENTS = 20

_ORDER_ID = re.compile(r"\bORD-[0-9]{6,10}\b")
_OTHER_ID = re.compile(
    r"\b(?:AWB-[0-9]{10}|REF-[0-9]{6,10}|RET-[0-9]{6,10}|TCK-[0-9]{6,10}|SKU-[0-9]{4}-[A-Z])\b"
)
# Arguments worth keeping in a trace line, in this order; free text (bodies, queries) is not.
_TRACE_ARGS = (
    "order_id",
    "awb",
    "sku",
    "items",
    "amount",
    "reason_code",
    "reason",
    "channel",
    "tier",
    "region",
)


def _format_arg(name: str, value: Any) -> str:
    if name == "amount" and isinstance(value, int | float | str):
        try:
            return money(value)
        except ArithmeticError:
            return one_line(str(value), 40)
    if name == "items" and isinstance(value, list):
        parts = [
            f"{item.get('sku', '?')}x{item.get('quantity', '?')}"
            for item in value
            if isinstance(item, dict)
        ]
        return one_line("+".join(parts), 120)
    return one_line(str(value), 60)


def describe_call(call: ToolCallRecord) -> str:
    """`initiate_refund ORD-1000042 89.99 CUSTOMER_REQUEST → REF-1000007 approved`."""
    args = [
        _format_arg(name, call.arguments[name])
        for name in _TRACE_ARGS
        if call.arguments.get(name) is not None
    ]
    result = one_line(call.summary, 160) if call.ok else f"failed: {one_line(call.summary, 160)}"
    return " ".join([call.tool, *args, "→", result or "ok"])


def _is_write(tool: str) -> bool:
    spec = TOOLS.get(tool)
    return spec is not None and spec.writes


class _Trace:
    """Mutable accumulator behind `fold`; the result is the frozen RunningSummary."""

    def __init__(self, base: RunningSummary | None) -> None:
        base = base or RunningSummary()
        self.turns_folded = base.turns_folded
        self.omitted = base.omitted
        self.intents = list(base.intents)
        self.orders_mentioned = list(base.orders_mentioned)
        self.orders_confirmed = list(base.orders_confirmed)
        self.actions = list(base.actions)
        self.escalations = list(base.escalations)
        self.decisions = list(base.decisions)
        self.references = list(base.references)

    def _push(self, target: list[str], value: str, *, unique: bool, cap: int) -> None:
        if unique and value in target:
            return
        target.append(value)
        while len(target) > cap:
            target.pop(0)
            self.omitted += 1

    def _ids(self, texts: Iterable[str]) -> None:
        for text in texts:
            for found in _ORDER_ID.findall(text):
                self._push(self.orders_mentioned, found, unique=True, cap=MAX_ENTRIES)
            for found in _OTHER_ID.findall(text):
                self._push(self.references, found, unique=True, cap=MAX_ENTRIES)

    def add(self, turn: Turn) -> None:
        self.turns_folded += 1
        if turn.intent:
            self._push(self.intents, one_line(turn.intent, 64), unique=True, cap=MAX_INTENTS)
        self._ids([turn.text, *turn.decisions])
        for call in turn.tool_calls:
            self._call(call)
        for decision in turn.decisions:
            self._push(self.decisions, one_line(decision, 200), unique=False, cap=MAX_ENTRIES)

    def _call(self, call: ToolCallRecord) -> None:
        self._ids([call.summary, *(str(v) for v in call.arguments.values())])
        order_id = call.arguments.get("order_id")
        if call.ok and isinstance(order_id, str) and _ORDER_ID.fullmatch(order_id):
            self._push(self.orders_confirmed, order_id, unique=True, cap=MAX_ENTRIES)
        if call.tool == ESCALATION_TOOL:
            self._push(self.escalations, describe_call(call), unique=False, cap=MAX_ENTRIES)
        elif _is_write(call.tool):
            self._push(self.actions, describe_call(call), unique=False, cap=MAX_ENTRIES)

    def build(self) -> RunningSummary:
        return RunningSummary(
            turns_folded=self.turns_folded,
            intents=self.intents,
            orders_mentioned=self.orders_mentioned,
            orders_confirmed=self.orders_confirmed,
            actions=self.actions,
            escalations=self.escalations,
            decisions=self.decisions,
            references=self.references,
            omitted=self.omitted,
        )


def fold(summary: RunningSummary | None, turns: Sequence[Turn]) -> RunningSummary:
    """The summary with `turns` (oldest first) folded in. Pure: same inputs, same summary."""
    trace = _Trace(summary)
    for turn in turns:
        trace.add(turn)
    return trace.build()


def render_summary(summary: RunningSummary) -> str:
    """The summary as a prompt block; empty sections are left out, order is fixed."""
    lines = ["[SUMMARY]", f"Earlier turns (summarised): {summary.turns_folded}"]
    if summary.intents:
        lines.append("Intents: " + ", ".join(summary.intents))
    if summary.orders_mentioned:
        lines.append("Orders mentioned: " + ", ".join(summary.orders_mentioned))
    if summary.orders_confirmed:
        lines.append("Orders confirmed: " + ", ".join(summary.orders_confirmed))
    if summary.references:
        lines.append("References: " + ", ".join(summary.references))
    for title, entries in (
        ("Actions", summary.actions),
        ("Escalations", summary.escalations),
        ("Decisions", summary.decisions),
    ):
        if entries:
            lines.append(f"{title}:")
            lines.extend(f"- {entry}" for entry in entries)
    if summary.omitted:
        lines.append(f"Older entries omitted: {summary.omitted}")
    lines.append("[/SUMMARY]")
    return "\n".join(lines)
