"""Prompt assembly in one fixed order, deterministic to the byte (what keeps the KV cache warm).

    system:  behaviour instructions (per tier)          shared by every customer of the tier
             [CONTEXT] … [/CONTEXT]                     static header, then per-customer values
             [TOOLS] one JSON schema per line [/TOOLS]  narrowed per customer, so after context
             [SUMMARY] … [/SUMMARY]                     only once old turns were folded
    then the last N turns as chat messages, then the new (scrubbed) message.

Inside every part the stable text comes first, so two customers' prompts share everything up
to the first value that is really theirs. Within one session the prompt grows append-only until
a fold rewrites the summary: turn k+1's prompt starts with turn k's prompt plus its reply.

Empty parts (no tools, no summary) are left out rather than rendered empty. Turns with role
`system` become `system` messages in place; chat templates that accept a system message only
first (some Mistral templates) need those merged by the caller.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.sessions.hydration import HydrationResult
from app.sessions.models import Role, RunningSummary, SessionState, Turn
from app.sessions.render import normalise_block
from app.sessions.summary import describe_call, fold, render_summary
from app.tools.narrowing import Narrowing, NothingToNarrowTo
from app.tools.spec import Tool

TOOLS_OPEN = "[TOOLS]"
TOOLS_CLOSE = "[/TOOLS]"
HUMAN_AGENT_PREFIX = "(human agent) "
TOOL_LINE_PREFIX = "(tool) "


def tool_line(tool: Tool, narrowing: Narrowing | None) -> str:  # type: ignore[type-arg]
    """One tool as canonical JSON (sorted keys, no spaces): byte-identical for equal inputs."""
    definition = {
        "name": tool.name,
        "description": tool.description,
        "parameters": tool.json_schema(narrowing),
    }
    return json.dumps(definition, sort_keys=True, separators=(",", ":"))


def offered_tools(
    tools: Sequence[Tool],  # type: ignore[type-arg]
    narrowing: Narrowing | None,
) -> list[tuple[str, str]]:
    """(name, JSON line) of each tool offered, sorted by name. A tool with nothing to narrow
    to (e.g. order tools for a customer without active orders) is not offered."""
    offered: list[tuple[str, str]] = []
    for tool in sorted(tools, key=lambda t: t.name):
        try:
            offered.append((tool.name, tool_line(tool, narrowing)))
        except NothingToNarrowTo:
            continue
    return offered


def render_tools(tools: Sequence[Tool], narrowing: Narrowing | None) -> str:  # type: ignore[type-arg]
    """The tools block ("" when no tool is offered)."""
    return _tools_block(offered_tools(tools, narrowing))


def _tools_block(offered: list[tuple[str, str]]) -> str:
    lines = [line for _, line in offered]
    return "\n".join([TOOLS_OPEN, *lines, TOOLS_CLOSE]) if lines else ""


def render_turn(turn: Turn) -> dict[str, str]:
    text = normalise_block(turn.text)
    calls = [TOOL_LINE_PREFIX + describe_call(c) for c in turn.tool_calls]
    content = "\n".join([text, *calls]) if text else "\n".join(calls)
    if turn.role is Role.AGENT_HUMAN:
        return {"role": "assistant", "content": HUMAN_AGENT_PREFIX + content}
    return {"role": turn.role.value, "content": content}


def _segment(message: dict[str, str]) -> str:
    return f"<|{message['role']}|>\n{message['content']}\n"


@dataclass(frozen=True)
class AssembledPrompt:
    messages: tuple[dict[str, str], ...]
    tool_names: tuple[str, ...]

    def as_list(self) -> list[dict[str, str]]:
        """Fresh dicts for an OpenAI-compatible `messages` field."""
        return [dict(m) for m in self.messages]

    @property
    def system(self) -> str:
        return self.messages[0]["content"]

    @property
    def rendered(self) -> str:
        """A canonical flat rendering (for hashing, tests and traces, not for the model)."""
        return "".join(_segment(m) for m in self.messages)

    @property
    def rendered_prefix(self) -> str:
        """Everything before the new message: what the server can reuse from the last turn."""
        return "".join(_segment(m) for m in self.messages[:-1])

    @property
    def prefix_key(self) -> str:
        return hashlib.sha256(self.rendered_prefix.encode()).hexdigest()

    @property
    def system_key(self) -> str:
        """Hash of the system message alone (instructions + context + tools + summary)."""
        return hashlib.sha256(self.system.encode()).hexdigest()


class PromptAssembler:
    def __init__(self, *, max_history_turns: int = 10) -> None:
        if max_history_turns < 1:
            raise ValueError("max_history_turns must be at least 1")
        self.max_history_turns = max_history_turns

    def system_prompt(
        self,
        instructions: str,
        context: HydrationResult,
        tools: Sequence[Tool],  # type: ignore[type-arg]
        narrowing: Narrowing | None,
        summary: RunningSummary | None,
    ) -> str:
        return self._system(instructions, context, offered_tools(tools, narrowing), summary)

    def assemble(
        self,
        *,
        instructions: str,
        context: HydrationResult,
        tools: Sequence[Tool],  # type: ignore[type-arg]
        new_message: str,
        narrowing: Narrowing | None = None,
        history: SessionState | None = None,
    ) -> AssembledPrompt:
        """Messages in the one fixed order. `new_message` and history text are scrubbed text."""
        turns: list[Turn] = list(history.turns) if history is not None else []
        summary = history.summary if history is not None else None
        if len(turns) > self.max_history_turns:
            # Never drop silently: turns beyond the window join the summary like any fold.
            cut = len(turns) - self.max_history_turns
            summary, turns = fold(summary, turns[:cut]), turns[cut:]
        offered = offered_tools(tools, narrowing)
        system = self._system(instructions, context, offered, summary)
        messages: list[dict[str, str]] = [{"role": "system", "content": system}]
        messages.extend(render_turn(t) for t in turns)
        messages.append({"role": "user", "content": normalise_block(new_message)})
        return AssembledPrompt(
            messages=tuple(messages), tool_names=tuple(name for name, _ in offered)
        )

    @staticmethod
    def _system(
        instructions: str,
        context: HydrationResult,
        offered: list[tuple[str, str]],
        summary: RunningSummary | None,
    ) -> str:
        parts = [
            normalise_block(instructions),
            context.render(),
            _tools_block(offered),
            render_summary(summary) if summary is not None else "",
        ]
        return "\n\n".join(p for p in parts if p)

    @staticmethod
    def openai_tools(
        tools: Sequence[Tool],  # type: ignore[type-arg]
        narrowing: Narrowing | None,
    ) -> list[dict[str, Any]]:
        """The same tools as an OpenAI `tools[]` list (for servers that take them separately)."""
        out: list[dict[str, Any]] = []
        for tool in sorted(tools, key=lambda t: t.name):
            try:
                out.append(tool.openai_definition(narrowing))
            except NothingToNarrowTo:
                continue
        return out
