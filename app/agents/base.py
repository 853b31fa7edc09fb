"""What every worker needs: a platform client, the tool executor, and a ToolContext per request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from app.agents.events import ChatEvent, word_chunks
from app.agents.worker import WorkerRequest
from app.llm.endpoints import TierModels
from app.llm.prompts import PromptVersion
from app.observability.traces import TRACE_KEY, truncate_output
from app.platform.client import CustomerRef, PlatformClient
from app.sessions.write_leases import OrderWriteLeases
from app.tools.executor import ToolExecutor, ToolResult, ToolSuccess
from app.tools.spec import AgentTier, PolicySearch, PolicySearchResult, ToolContext


@dataclass
class WorkerDeps:
    platform: PlatformClient
    executor: ToolExecutor
    policy_search: PolicySearch | None = None
    # None when no model is configured: workers then answer only deterministically.
    models: TierModels | None = None
    prompts: Mapping[str, PromptVersion] = field(default_factory=dict)
    # "production", or "shadow" (writes in dry-run, its own checkpoints: see AgentSettings).
    variant: str = "production"
    # One write in flight per order across sessions and replicas (Redis); None: no lease.
    write_leases: OrderWriteLeases | None = None

    def tool_context(self, request: WorkerRequest) -> ToolContext:
        # Identity comes from the verified token via the request, never from model output.
        return self.tool_context_for(
            CustomerRef(request.client_id, request.customer_id), request.session_id
        )

    def tool_context_for(self, who: CustomerRef, session_id: str) -> ToolContext:
        return ToolContext(
            who=who,
            session_id=session_id,
            platform=self.platform,
            policy_search=self.policy_search,
        )


def tool_event(result: ToolResult, arguments: dict[str, object]) -> ChatEvent:
    extra: dict[str, object] = {"arguments": arguments, TRACE_KEY: trace_detail(result)}
    if not result.ok:
        extra["code"] = getattr(result, "code", "error")
    return ChatEvent.tool(result.tool, result.ok, **extra)


def trace_detail(result: ToolResult) -> dict[str, object]:
    """The part of a tool event only the turn's trace keeps (the pipeline strips it before the
    client sees the event): round-trip time and the output, retrieved chunks without text."""
    output: object
    if isinstance(result, ToolSuccess) and isinstance(result.output, PolicySearchResult):
        output = {
            "chunks": [
                c.model_dump(mode="json", include={"chunk_id", "source_doc", "section", "score"})
                for c in result.output.chunks
            ]
        }
    elif isinstance(result, ToolSuccess):
        output = truncate_output(result.output.model_dump(mode="json"))
    else:
        output = {"code": getattr(result, "code", "error")}
    return {"ms": round(result.latency_ms, 1), "output": output}


async def say(text: str) -> AsyncIterator[ChatEvent]:
    for piece in word_chunks(text):
        yield ChatEvent.token(piece)


class FixedReplyAgent:
    """A worker that answers every message with one fixed text: no model, no tools."""

    reply: str

    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        async for event in say(self.reply):
            yield event


async def run_tool(
    deps: WorkerDeps,
    request: WorkerRequest,
    tier: AgentTier,
    name: str,
    arguments: dict[str, object],
) -> ToolResult:
    return await deps.executor.execute(deps.tool_context(request), tier, name, arguments)
