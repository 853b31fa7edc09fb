"""The Tracking worker's model turn, for questions the deterministic fast path could not settle.

Two model calls at most, read tools only:
  1. choose one read tool and its arguments under constrained decoding (arguments narrowed
     to this customer's own orders and AWBs, validated again before the executor runs them);
  2. stream the answer from the tool's output: `<thought>` planning is filtered out, and each
     sentence's claims (states, dates, carrier, signatory, amounts, ids, actions) are checked
     against the tool output and the context block before the customer sees it.
If the model is unavailable or its call is rejected, the caller asks a clarifying question;
if a sentence fails the check, the platform's facts are stated from the template instead.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass

from app.agents.base import WorkerDeps, run_tool, tool_event
from app.agents.events import ChatEvent
from app.agents.worker import WorkerRequest
from app.config import TRACKING_ANSWER_DEADLINE_S
from app.language import claim_meaning
from app.language.claim_facts import TurnFacts
from app.language.claims import SentenceGate
from app.llm.client import ChatModel, ModelUnavailable, Usage
from app.llm.prompts import PromptVersion
from app.llm.thoughts import RESPONSE_CLOSE, ThoughtFilter
from app.llm.tool_calls import ToolCall, ToolCallRejected, propose_tool_call
from app.routing.tracking_replies import render_output
from app.sessions.hydration import HydratedContext
from app.sessions.prompt import PromptAssembler
from app.tools.definitions import TOOLS, narrowing_for
from app.tools.executor import ToolSuccess
from app.tools.narrowing import Narrowing, NothingToNarrowTo
from app.tools.spec import AgentTier

TRACKING_TOOLS = tuple(
    TOOLS[name] for name in ("get_delivery_photo", "get_eta", "get_order_status")
)
ANSWER_MAX_TOKENS = 160


@dataclass(frozen=True)
class ModelTurnOutcome:
    answered: bool
    reason: str


def _history_messages(request: WorkerRequest) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for turn in request.history[-6:]:
        role = "user" if turn.get("role") == "user" else "assistant"
        text = str(turn.get("text", "")).strip()
        if text:
            out.append({"role": role, "content": text})
    return out


def _facts_text(output: object) -> str:
    if hasattr(output, "model_dump_json"):
        return output.model_dump_json()  # type: ignore[no-any-return]
    return json.dumps(output, default=str)


def _order_of(awb: str, request: WorkerRequest) -> str | None:
    for order in request.context.active_orders:
        if any(s.awb == awb for s in order.shipments):
            return order.order_id
    return None


def _template(output: object, request: WorkerRequest) -> str | None:
    """The deterministic rendering of the same output (what the fast path would say)."""
    awb = getattr(output, "awb", None)
    order_id = _order_of(awb, request) if awb else None
    if order_id is None:
        return None
    return render_output(output, order_id, request.context.region)


class TrackingModelTurn:
    def __init__(
        self,
        deps: WorkerDeps,
        model: ChatModel,
        prompt: PromptVersion,
        assembler: PromptAssembler | None = None,
        answer_deadline_s: float = TRACKING_ANSWER_DEADLINE_S,
    ) -> None:
        self.deps = deps
        self.model = model
        self.prompt = prompt
        self.assembler = assembler or PromptAssembler()
        self.answer_deadline_s = answer_deadline_s
        self.outcome = ModelTurnOutcome(False, "not run")

    def _usage_event(self, endpoint: str, usage: Usage) -> ChatEvent:
        return ChatEvent.usage(
            AgentTier.TRACKING.value,
            self.prompt.ref,
            endpoint,
            prompt_tokens=usage.prompt_tokens,
            cached_prompt_tokens=usage.cached_prompt_tokens,
            completion_tokens=usage.completion_tokens,
        )

    def _messages(self, request: WorkerRequest, narrowing: Narrowing) -> list[dict[str, str]]:
        assembled = self.assembler.assemble(
            instructions=self.prompt.text,
            context=HydratedContext(context=request.context),
            tools=TRACKING_TOOLS,
            new_message=request.message,
            narrowing=narrowing,
        )
        messages = assembled.as_list()
        return [messages[0], *_history_messages(request), messages[-1]]

    async def run(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        """Yields events; sets `outcome.answered` False when the caller must answer instead."""
        narrowing = narrowing_for(request.context)
        messages = self._messages(request, narrowing)
        try:
            call = await propose_tool_call(self.model, messages, TRACKING_TOOLS, narrowing)
        except (ModelUnavailable, ToolCallRejected, NothingToNarrowTo) as exc:
            self.outcome = ModelTurnOutcome(False, f"tool choice failed: {type(exc).__name__}")
            return
        if call.completion is not None:
            yield self._usage_event(call.completion.endpoint, call.completion.usage)
        result = await run_tool(self.deps, request, AgentTier.TRACKING, call.tool, call.arguments)
        yield tool_event(result, call.arguments)
        if not isinstance(result, ToolSuccess):
            self.outcome = ModelTurnOutcome(False, f"tool failed: {call.tool}")
            return
        async for event in self._answer(request, messages, call, result.output):
            yield event

    async def _answer(
        self,
        request: WorkerRequest,
        messages: list[dict[str, str]],
        call: ToolCall,
        output: object,
    ) -> AsyncIterator[ChatEvent]:
        facts = _facts_text(output)
        follow_up = [
            *messages,
            {"role": "assistant", "content": json.dumps(call.model_dump(), sort_keys=True)},
            {"role": "user", "content": f"(tool result) {call.tool}: {facts}"},
        ]
        thoughts = ThoughtFilter()
        # The claim check reads unsettled clauses with the shared encoder: load it off the
        # event loop before the first sentence needs it.
        await asyncio.to_thread(claim_meaning.warm)
        gate = SentenceGate(TurnFacts.from_outputs([(call.tool, output)], context=request.context))
        said = False
        # Past the deadline with no checked sentence, the template answers instead.
        deadline = asyncio.get_running_loop().time() + self.answer_deadline_s
        # Stopping at </response> ends generation there, and the final usage still arrives.
        # aclosing: leaving early (a failed check, the deadline) closes the model's stream,
        # so the engine stops generating for it.
        stream = self.model.stream(follow_up, max_tokens=ANSWER_MAX_TOKENS, stop=[RESPONSE_CLOSE])
        try:
            async with aclosing(stream) as deltas:
                while gate.rejected is None:
                    # Only the wait for the next piece is timed, never a yield to our caller.
                    left = None if said else deadline - asyncio.get_running_loop().time()
                    try:
                        delta = await asyncio.wait_for(anext(deltas), left)
                    except StopAsyncIteration:
                        for sentence in gate.feed(thoughts.finish()) + gate.finish():
                            said = True
                            yield ChatEvent.token(sentence)
                        break
                    if delta.usage is not None:
                        yield self._usage_event(delta.endpoint, delta.usage)
                    for sentence in gate.feed(thoughts.feed(delta.text)):
                        said = True
                        yield ChatEvent.token(sentence)
        except ModelUnavailable:
            gate.rejected = gate.rejected or "(model unavailable mid-answer)"
        except TimeoutError:
            gate.rejected = f"(no checked sentence within {self.answer_deadline_s:g} s)"
        if gate.rejected is not None or not said:
            # State the platform's facts verbatim rather than an unsupported sentence.
            template = _template(output, request)
            if template is None:
                self.outcome = ModelTurnOutcome(False, "answer failed the fact check")
                return
            yield ChatEvent.token(("" if not said else " ") + template)
            self.outcome = ModelTurnOutcome(True, "template after fact check")
            return
        self.outcome = ModelTurnOutcome(True, "model answer")
