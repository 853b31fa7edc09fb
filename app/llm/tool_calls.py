"""Tool calls under constrained decoding: the model can only write arguments the schema allows.

The schema is the tool's per-request narrowed schema (enums of the customer's own order ids
and AWBs, bounded amounts, closed reason codes), sent as a JSON-Schema `response_format`;
vLLM enforces it token by token with its XGrammar backend. The result is validated again with
the same narrowed pydantic model before anything may run: a payload that fails (cut off at
max_tokens, or from an endpoint that ignored the schema) is rejected, never executed.

With several tools on offer, the model picks one under a schema that is a closed choice
`{"tool": <name>, "arguments": <that tool's schema>}` over the offered tools.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from app.llm.client import ChatModel, Completion
from app.tools.narrowing import Narrowing, NothingToNarrowTo
from app.tools.spec import Tool

CHOICE_SCHEMA_NAME = "tool_call"


class ToolCall(BaseModel):
    tool: str
    arguments: dict[str, Any]
    # The model call that produced it (usage, endpoint); not part of the payload.
    completion: Completion | None = Field(default=None, exclude=True)


class ToolCallRejected(ValueError):
    """The model's payload is not a valid call; `reason` is a short machine-readable code."""

    def __init__(self, reason: str, detail: str, completion: Completion | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.completion = completion


def choice_schema(tools: Sequence[Tool], narrowing: Narrowing | None) -> dict[str, Any]:  # type: ignore[type-arg]
    """One closed choice over the offered tools (a tool with nothing to narrow to is left out)."""
    options: list[dict[str, Any]] = []
    for tool in sorted(tools, key=lambda t: t.name):
        try:
            parameters = tool.json_schema(narrowing)
        except NothingToNarrowTo:
            continue
        options.append(
            {
                "type": "object",
                "properties": {"tool": {"const": tool.name}, "arguments": parameters},
                "required": ["tool", "arguments"],
                "additionalProperties": False,
            }
        )
    if not options:
        raise NothingToNarrowTo("no tool can be offered for this request")
    return options[0] if len(options) == 1 else {"anyOf": options}


def validate_call(
    text: str,
    tools: Sequence[Tool],  # type: ignore[type-arg]
    narrowing: Narrowing | None,
    completion: Completion | None = None,
) -> ToolCall:
    """Parse and re-validate a `{"tool", "arguments"}` payload against the narrowed model."""
    if completion is not None and completion.finish_reason == "length":
        raise ToolCallRejected("truncated", "output cut at max_tokens", completion)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolCallRejected("invalid_json", str(exc), completion) from None
    if not isinstance(payload, dict) or set(payload) != {"tool", "arguments"}:
        raise ToolCallRejected("invalid_shape", "expected {tool, arguments}", completion)
    by_name = {tool.name: tool for tool in tools}
    tool = by_name.get(str(payload["tool"]))
    if tool is None:
        raise ToolCallRejected("unknown_tool", f"{payload['tool']!r} is not offered", completion)
    try:
        model = tool.input_model_for(narrowing).model_validate(payload["arguments"])
    except (ValidationError, NothingToNarrowTo) as exc:
        raise ToolCallRejected("schema", str(exc).splitlines()[0], completion) from None
    return ToolCall(
        tool=tool.name,
        arguments=model.model_dump(mode="json", exclude_none=True),
        completion=completion,
    )


async def propose_tool_call(
    model: ChatModel,
    messages: Sequence[dict[str, Any]],
    tools: Sequence[Tool],  # type: ignore[type-arg]
    narrowing: Narrowing | None,
    *,
    max_tokens: int = 160,
    constrained: bool = True,
) -> ToolCall:
    """Ask the model for one tool call. `constrained=False` only describes the schema in the
    prompt (the baseline the benchmark compares against); production always constrains."""
    schema = choice_schema(tools, narrowing)
    request = list(messages)
    if not constrained:
        request.append(
            {
                "role": "system",
                "content": "Reply with one JSON object matching this JSON Schema and nothing "
                "else:\n" + json.dumps(schema, sort_keys=True, separators=(",", ":")),
            }
        )
    completion = await model.complete(
        request,
        max_tokens=max_tokens,
        temperature=0.0,
        response_schema=schema if constrained else None,
        schema_name=CHOICE_SCHEMA_NAME,
    )
    return validate_call(completion.text, tools, narrowing, completion)
