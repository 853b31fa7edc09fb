"""Policy worker: return and refund questions, answered from the client's policy documents.

One turn, top to bottom:

1. plan: the message rewritten with the customer's tier and the product category (from the
   message, or from the platform for a named SKU); SKUs named in the message;
2. platform truth first: `get_return_window` for each named SKU, rendered from the platform's
   answer and streamed at once (the fastest first words, and never a model's guess);
3. retrieval: `search_policy_kb` through the executor (the client is the token's, the region
   the hydrated one); the chunks are cut into readable lines and ranked against the question
   (app/agents/policy_evidence.py);
4. the model, one call: it sees the best lines of the top passages, each under a label (P1.1,
   P1.2, P2.1, ...), and answers with one or two labels under a JSON Schema whose enum is this
   turn's lines (vLLM + XGrammar enforce it). A 135M model copies and extracts well and judges
   poorly, so its freedom is bounded to choosing: it cannot write a policy sentence of its own
   or cite anything that was not retrieved. The chosen lines are streamed verbatim, each with
   its chunk id;
5. the grounding check (app/agents/grounding.py) still runs on every statement before the
   customer sees it (cited chunk retrieved, every value in the chunk or the platform's output,
   word overlap, no promise): it catches an endpoint that ignored the schema, a truncated or
   invalid output, and any rendering of ours that is not faithful to the chunk. A failed
   answer is never shown: it is flagged for review in the turn's decision trace and replaced
   by the safe fallback;
6. fallback (also when no model is configured or it is unavailable): the best-ranked line,
   quoted with its citation, and the offer of a colleague.

search_policy_kb and get_return_window are the only tools; policy facts come only from
retrieved chunks and the platform.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.agents.base import WorkerDeps, run_tool, say, tool_event
from app.agents.events import ChatEvent
from app.agents.grounding import GroundingCheck, GroundingReport, Statement
from app.agents.policy_evidence import (
    Line,
    Passage,
    QueryPlan,
    plan_query,
    policy_codes_in,
    rank_lines,
    select_passages,
)
from app.agents.worker import WorkerRequest
from app.llm.client import Completion, ModelUnavailable
from app.llm.prompts import PromptVersion
from app.platform.contract import ErrorCode, ReturnWindow
from app.tools.executor import ToolFailure, ToolResult, ToolSuccess
from app.tools.spec import AgentTier, PolicyChunk, PolicySearchResult

TIER = AgentTier.POLICY
MAX_SKUS = 3
MAX_STATEMENTS = 2
# What the model chooses from: the best lines of the best passages. Few options keep a small
# model's choice sound (it tends to take the first line and one more).
PASSAGES_SHOWN = 2
LINES_PER_PASSAGE = 2
# {"lines":["P1.1","P2.1"]} is about 15 tokens; the bound only stops a runaway output.
CHOICE_MAX_TOKENS = 40
# Earlier policy prompts asked for free-text answers (v1) or written statements (v2).
FREE_TEXT_PROMPTS = frozenset({"v1", "v2"})

NOTHING_FOUND = (
    "I couldn't find this in our policy documents, so I'd rather not guess. If you tell me "
    "the product's SKU (it looks like SKU-1234-A), I can check its return window, or I can "
    "connect you with a colleague."
)
SEARCH_UNAVAILABLE = (
    "I can't look up the policy documents right now. If you tell me the product's SKU (it "
    "looks like SKU-1234-A), I can check its return window, or I can connect you with a "
    "colleague."
)
# A SKU or policy code that is not this store's: never answered with the nearest rule of ours.
UNKNOWN_SKUS = (
    "I can't find {names} in this store's catalogue, so I can't tell you the return rules for "
    "it. Could you check the code on your order confirmation or the product page?"
)
UNKNOWN_CODES = (
    "I can't find {names} in this store's policies, so I'd rather not guess what it says. "
    "Could you check the code, or tell me which product or order your question is about?"
)
FALLBACK_LEAD = "I'm not certain I have the exact rule for your question. Our policy says: "
FALLBACK_TAIL = " If that doesn't answer it, I can connect you with a colleague."


# ---------------------------------------------------------------- the model's choice


class _ChoiceOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[str] = Field(min_length=1, max_length=MAX_STATEMENTS)


def line_labels(passages: Sequence[Passage]) -> dict[str, Line]:
    """Each shown line under its label: P1.1, P1.2, P2.1, ... (passage, then line, both
    best first)."""
    return {
        f"{passage.label}.{i}": line
        for passage in passages
        for i, line in enumerate(passage.lines, 1)
    }


def choice_schema(labels: Sequence[str]) -> dict[str, Any]:
    """One or two line labels from an enum of this turn's lines: the decoder cannot cite
    anything that was not retrieved, nor write a policy sentence of its own."""
    return {
        "type": "object",
        "properties": {
            "lines": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_STATEMENTS,
                "items": {"type": "string", "enum": list(labels)},
            }
        },
        "required": ["lines"],
        "additionalProperties": False,
    }


def context_line(request: WorkerRequest) -> str:
    context = request.context
    return f"Customer: {context.tier.value} member, {context.region.value} store."


def choice_messages(
    prompt: PromptVersion, request: WorkerRequest, passages: Sequence[Passage]
) -> list[dict[str, str]]:
    evidence = "\n\n".join(p.render() for p in passages)
    user = (
        f"{context_line(request)}\n\nPolicy passages:\n{evidence}\n\n"
        f"Question: {request.message.strip()}"
    )
    return [{"role": "system", "content": prompt.text}, {"role": "user", "content": user}]


def parse_choice(completion: Completion, passages: Sequence[Passage]) -> list[Statement] | None:
    """The chosen lines as statements citing their chunks, or None when the output is unusable
    (cut at max_tokens, not JSON, outside the schema, or naming a line that was not shown)."""
    if completion.finish_reason == "length":
        return None
    try:
        labels = _ChoiceOut.model_validate_json(completion.text).lines
    except ValidationError:
        return None
    shown = line_labels(passages)
    statements: list[Statement] = []
    for label in dict.fromkeys(labels):
        line = shown.get(label)
        if line is None:
            return None
        statements.append(Statement(text=line.text, chunk_id=line.chunk_id))
    return statements


def cite(chunk_id: str) -> str:
    """The chunk's id as the decision trace and the console show it; never the customer."""
    return f"[{chunk_id[:8]}]"


def source_note(titles: Sequence[str]) -> str:
    """What the customer sees of the citations: the policy sections' titles, never ids."""
    shown = [t for t in dict.fromkeys(t.strip() for t in titles) if t]
    return f"(Source: {'; '.join(shown)}.)" if shown else ""


def render_statements(statements: Sequence[Statement], sections: Mapping[str, str]) -> str:
    parts = []
    for statement in statements:
        text = statement.text.strip()
        if text[-1:] not in ".!?":
            text += "."
        parts.append(text)
    note = source_note([sections.get(s.chunk_id, "") for s in statements])
    return " ".join([*parts, note] if note else parts)


def render_window(window: ReturnWindow) -> str:
    if not window.returnable:
        return (
            f"{window.sku} is not returnable for {window.tier.value} members in the "
            f"{window.region.value} store (policy {window.policy_code})."
        )
    return (
        f"For {window.sku}, {window.tier.value} members in the {window.region.value} store have "
        f"{window.window_days} days from delivery to start a return (policy {window.policy_code})."
    )


def fallback_text(best: Line, section: str) -> str:
    quote = best.text.rstrip()
    note = source_note([section])
    return f"{FALLBACK_LEAD}\u201c{quote}\u201d{' ' + note if note else ''}{FALLBACK_TAIL}"


def sections_of(chunks: Sequence[PolicyChunk]) -> dict[str, str]:
    return {c.chunk_id: c.section for c in chunks}


# ---------------------------------------------------------------- the turn


@dataclass
class PolicyOutcome:
    """How the turn was answered (for evals and the decision trace)."""

    path: str = "none"  # model | fallback | nothing_found | search_unavailable
    grounded: bool = False
    grounding: str | None = None  # the check's summary of the model's answer
    chosen: list[str] = field(default_factory=list)  # the line labels the model chose
    search_ms: float | None = None
    model_ms: float | None = None
    model_calls: int = 0
    chunk_ids: list[str] = field(default_factory=list)
    platform_lines: list[str] = field(default_factory=list)
    answer: str = ""
    reason: str = ""


class PolicyAgent:
    def __init__(self, deps: WorkerDeps) -> None:
        prompt = deps.prompts.get("policy")
        if prompt is not None and prompt.version in FREE_TEXT_PROMPTS:
            # Fails the deploy, not a turn: those prompts ask for another output contract.
            raise ValueError(
                f"policy prompt {prompt.ref} asks for free text; this worker needs a "
                "line-choice prompt (policy v3 or later)"
            )
        self.deps = deps
        self.last_outcome = PolicyOutcome()

    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        outcome = PolicyOutcome()
        self.last_outcome = outcome
        context = request.context
        plan = plan_query(
            _search_text(request), tier=context.tier.value, region=context.region.value
        )

        windows: list[ReturnWindow] = []
        window_results = await self._return_windows(request, plan)
        for result, arguments in window_results:
            yield _tool_event(result, arguments)
            if isinstance(result, ToolSuccess) and isinstance(result.output, ReturnWindow):
                windows.append(result.output)
        if windows and plan.category is None:
            plan = plan_query(
                plan.message,
                tier=plan.tier,
                region=plan.region,
                category=windows[0].category.value,
            )
        for window in windows:
            line = render_window(window)
            outcome.platform_lines.append(line)
            async for event in self._say(outcome, line):
                yield event

        unknown_skus = [
            str(arguments["sku"])
            for result, arguments in window_results
            if isinstance(result, ToolFailure) and result.code == ErrorCode.SKU_NOT_FOUND
        ]
        if unknown_skus:
            yield ChatEvent.decision(
                TIER.value, f"not in this tenant's catalogue: {', '.join(unknown_skus)}"
            )
            async for event in self._say(outcome, _unknown(UNKNOWN_SKUS, unknown_skus)):
                yield event
            if not windows:
                # Every SKU asked about is another store's (or none): no rule of ours stands in.
                outcome.path = outcome.reason = "unknown_sku"
                return

        arguments = {"query": plan.query, "client_id": request.client_id, "region": plan.region}
        result = await run_tool(self.deps, request, TIER, "search_policy_kb", arguments)
        outcome.search_ms = round(result.latency_ms, 1)
        chunks = _chunks_of(result)
        outcome.chunk_ids = [c.chunk_id for c in chunks]
        yield _tool_event(result, arguments, chunks=chunks)

        if not chunks:
            reason = "search_unavailable" if not result.ok else "nothing_found"
            outcome.path, outcome.reason = reason, reason
            if not outcome.platform_lines:
                text = SEARCH_UNAVAILABLE if not result.ok else NOTHING_FOUND
                async for event in self._say(outcome, text):
                    yield event
            yield ChatEvent.decision(TIER.value, f"no policy passages ({reason})")
            return

        texts = " ".join(c.text for c in chunks).upper()
        unknown_codes = [c for c in policy_codes_in(plan.message) if c not in texts]
        if unknown_codes:
            # The search is this tenant's only, and finds an exact code: a code it did not
            # find is another store's (or a typo), never answered with a rule of ours.
            outcome.path = outcome.reason = "unknown_policy_code"
            yield ChatEvent.decision(TIER.value, f"policy code not found: {unknown_codes}")
            async for event in self._say(outcome, _unknown(UNKNOWN_CODES, unknown_codes)):
                yield event
            return

        ranked = rank_lines(plan, chunks)
        passages = select_passages(
            ranked, chunks, max_passages=PASSAGES_SHOWN, lines_per_passage=LINES_PER_PASSAGE
        )
        check = GroundingCheck(
            {c.chunk_id: c.text for c in chunks},
            platform_facts=[w.model_dump_json() for w in windows],
        )
        async for event in self._model_answer(request, passages, check, outcome):
            yield event
        if outcome.path == "model":
            return

        # Safe fallback: quote the best-ranked line with its citation, offer a colleague.
        outcome.path = "fallback"
        text = NOTHING_FOUND
        if ranked and check.statement(Statement(ranked[0].text, ranked[0].chunk_id)).grounded:
            text = fallback_text(ranked[0], sections_of(chunks).get(ranked[0].chunk_id, ""))
        async for event in self._say(outcome, text):
            yield event
        yield ChatEvent.decision(TIER.value, f"fallback answer ({outcome.reason})")

    # ------------------------------------------------------------ steps

    async def _return_windows(
        self, request: WorkerRequest, plan: QueryPlan
    ) -> list[tuple[ToolResult, dict[str, object]]]:
        calls: list[dict[str, object]] = [
            {"sku": sku, "tier": plan.tier} for sku in plan.skus[:MAX_SKUS]
        ]
        results = await asyncio.gather(
            *(run_tool(self.deps, request, TIER, "get_return_window", args) for args in calls)
        )
        return list(zip(results, calls, strict=True))

    async def _model_answer(
        self,
        request: WorkerRequest,
        passages: Sequence[Passage],
        check: GroundingCheck,
        outcome: PolicyOutcome,
    ) -> AsyncIterator[ChatEvent]:
        """One constrained call: the model picks the lines that answer the question."""
        models, prompt = self.deps.models, self.deps.prompts.get("policy")
        if models is None or prompt is None:
            outcome.reason = "no model configured"
            return
        labels = list(line_labels(passages))
        try:
            completion = await models.policy.complete(
                choice_messages(prompt, request, passages),
                max_tokens=CHOICE_MAX_TOKENS,
                temperature=0.0,
                response_schema=choice_schema(labels),
                schema_name="policy_lines",
            )
        except ModelUnavailable as exc:
            outcome.reason = f"model unavailable ({exc})"
            return
        outcome.model_calls += 1
        outcome.model_ms = round(completion.total_s * 1000, 1)
        yield _usage_event(prompt, completion)
        statements = parse_choice(completion, passages)
        outcome.chosen = _labels_in(completion.text)
        report = (
            check.answer(statements)
            if statements is not None
            else GroundingReport((), False, "invalid_output")
        )
        outcome.grounding = report.summary()
        if not report.grounded or not statements:
            # Never shown to the customer; kept (truncated) for whoever reviews the flag.
            outcome.reason = f"model answer {report.summary()}"
            yield ChatEvent.decision(
                TIER.value,
                outcome.reason,
                review=True,
                rejected=json.dumps(completion.text[:300]),
            )
            return
        sections = sections_of([p.chunk for p in passages])
        async for event in self._say(outcome, render_statements(statements, sections)):
            yield event
        outcome.path, outcome.grounded = "model", True
        yield ChatEvent.decision(
            TIER.value,
            f"answer {report.summary()}; cites "
            + ", ".join(dict.fromkeys(cite(s.chunk_id) for s in statements)),
            chunk_ids=[s.chunk_id for s in statements],
        )

    async def _say(self, outcome: PolicyOutcome, text: str) -> AsyncIterator[ChatEvent]:
        lead = " " if outcome.answer else ""
        async for event in say(lead + text):
            outcome.answer += event.data["text"]
            yield event


def _unknown(template: str, names: Sequence[str]) -> str:
    return template.format(names=" or ".join(names))


def _labels_in(text: str) -> list[str]:
    try:
        return _ChoiceOut.model_validate_json(text).lines
    except ValidationError:
        return []


def _search_text(request: WorkerRequest) -> str:
    """The message; a short follow-up ("and for shoes?") carries the previous question."""
    message = request.message.strip()
    if len(message.split()) >= 4:
        return message
    earlier = next(
        (
            str(turn.get("text", "")).strip()
            for turn in reversed(request.history)
            if turn.get("role") == "user" and str(turn.get("text", "")).strip()
        ),
        "",
    )
    return f"{earlier} {message}".strip() if earlier else message


def _chunks_of(result: ToolResult) -> list[PolicyChunk]:
    if isinstance(result, ToolSuccess) and isinstance(result.output, PolicySearchResult):
        return list(result.output.chunks)
    return []


def _tool_event(
    result: ToolResult, arguments: dict[str, object], *, chunks: Sequence[PolicyChunk] = ()
) -> ChatEvent:
    event = tool_event(result, arguments)
    if chunks:
        event.data["chunk_ids"] = [c.chunk_id for c in chunks]
        event.data["summary"] = "chunks " + ", ".join(c.chunk_id[:8] for c in chunks)
    return event


def _usage_event(prompt: PromptVersion, completion: Completion) -> ChatEvent:
    usage = completion.usage
    return ChatEvent.usage(
        TIER.value,
        prompt.ref,
        completion.endpoint,
        prompt_tokens=usage.prompt_tokens,
        cached_prompt_tokens=usage.cached_prompt_tokens,
        completion_tokens=usage.completion_tokens,
    )
