"""Tool calls under constrained decoding: the model can only write arguments the schema allows.

The schema is the tool's per-request narrowed schema (enums of the customer's own order ids
and AWBs, bounded amounts, closed reason codes), sent as a JSON-Schema `response_format`;
vLLM enforces it token by token with its XGrammar backend. The result is validated again with
the same narrowed pydantic model before anything may run: a payload that fails (cut off at
max_tokens, or from an endpoint that ignored the schema) is rejected, never executed.

With several tools on offer, the model picks one under a schema that is a closed choice
`{"tool": <name>, "arguments": <that tool's schema>}` over the offered tools.

Every string and list the model may write is bounded (the tools' `DecoderLimit`s), so the
longest valid payload has a known size, and `max_tokens` is set above it: a model that loops
inside the schema is closed off by the grammar before the budget runs out, and a call is never
cut into an invalid payload.
"""

from __future__ import annotations

import json
import math
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
    """One closed choice over the offered tools (a tool with nothing to narrow to is left out),
    with the decoder's bounds on what a model may write."""
    decoding = narrowing.for_model_output() if narrowing is not None else None
    options: list[dict[str, Any]] = []
    for tool in sorted(tools, key=lambda t: t.name):
        try:
            parameters = tool.json_schema(decoding)
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
    decoding = narrowing.for_model_output() if narrowing is not None else None
    try:
        model = tool.input_model_for(decoding).model_validate(payload["arguments"])
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
    max_tokens: int | None = None,
    constrained: bool = True,
) -> ToolCall:
    """Ask the model for one tool call. `constrained=False` only describes the schema in the
    prompt (the baseline the benchmark compares against); production always constrains.
    `max_tokens` defaults to the budget the schema's longest payload needs."""
    schema = choice_schema(tools, narrowing)
    if max_tokens is None:
        max_tokens = token_budget(schema)
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


# Budget per character of the longest payload. Structure, enums and numbers are mostly
# several characters a token; free text is counted twice over because a looping model may spell
# it in single characters or escapes.
_TEXT_TOKENS_PER_CHAR = 2.0
_BUDGET_SLACK_TOKENS = 16
_UNBOUNDED_TEXT_CHARS = 64  # patterns (ids, SKUs) and formats without a maxLength
_NUMBER_CHARS = 24


def max_payload_chars(schema: dict[str, Any]) -> float:
    """An upper bound on the length of a compact JSON value the schema accepts, counting
    free-text characters `_TEXT_TOKENS_PER_CHAR` times. Raises ValueError for a schema with an
    unbounded list or string, which a decoder-facing schema must not have."""
    if "const" in schema:
        return len(json.dumps(schema["const"]))
    if "enum" in schema:
        return max(len(json.dumps(v)) for v in schema["enum"])
    if "anyOf" in schema:
        return max(max_payload_chars(option) for option in schema["anyOf"])
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        inner = sum(len(json.dumps(k)) + 1 + max_payload_chars(v) for k, v in properties.items())
        return 2 + inner + max(0, len(properties) - 1)
    if kind == "array":
        if "maxItems" not in schema:
            raise ValueError("an unbounded list in a decoder schema")
        items = int(schema["maxItems"])
        return 2 + items * max_payload_chars(schema.get("items", {})) + max(0, items - 1)
    if kind == "string":
        if "maxLength" in schema:
            return 2 + int(schema["maxLength"]) * _TEXT_TOKENS_PER_CHAR
        if "pattern" in schema or "format" in schema:
            return 2 + _UNBOUNDED_TEXT_CHARS
        raise ValueError("an unbounded string in a decoder schema")
    if kind in ("integer", "number"):
        return _NUMBER_CHARS
    if kind == "boolean":
        return 5
    if kind == "null":
        return 4
    raise ValueError(f"no size bound for schema {sorted(schema)}")


def token_budget(schema: dict[str, Any]) -> int:
    """max_tokens that the longest payload of `schema` fits in (one token per character at
    worst, free text counted twice over)."""
    return math.ceil(max_payload_chars(schema)) + _BUDGET_SLACK_TOKENS
