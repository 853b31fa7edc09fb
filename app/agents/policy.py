"""Policy worker, narrow version: return windows straight from the platform's rules.

Retrieval-grounded answers (Milvus hybrid search, reranking, grounding check) arrive with the
policy issue. Until then this worker answers only what the platform itself states — the
return window of a SKU for the customer's tier — and says plainly when it cannot answer.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from app.agents.base import WorkerDeps, run_tool, say, tool_event
from app.agents.events import ChatEvent
from app.agents.worker import WorkerRequest
from app.platform.contract import SKU_PATTERN
from app.tools.spec import AgentTier

_SKU = re.compile(SKU_PATTERN.strip("^$"))

CANNOT_ANSWER = (
    "I can't look up the full policy text right now. If you tell me the product's SKU "
    "(it looks like SKU-1234-A), I can check its return window for you, or I can connect you "
    "with a member of our team."
)


class PolicyAgent:
    def __init__(self, deps: WorkerDeps) -> None:
        self.deps = deps

    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        skus = sorted(set(_SKU.findall(request.message)))
        if not skus:
            async for event in say(CANNOT_ANSWER):
                yield event
            return
        answers = []
        for sku in skus[:3]:
            arguments: dict[str, object] = {"sku": sku, "tier": request.context.tier.value}
            result = await run_tool(
                self.deps, request, AgentTier.POLICY, "get_return_window", arguments
            )
            yield tool_event(result, arguments)
            if not result.ok:
                answers.append(f"I couldn't find the return rules for {sku}.")
                continue
            window = result.output  # type: ignore[union-attr]
            if not window.returnable:
                answers.append(f"{sku} can't be returned (policy {window.policy_code}).")
            else:
                answers.append(
                    f"For {sku}, {window.tier.value} customers in {window.region.value} have "
                    f"{window.window_days} days from delivery to start a return "
                    f"(policy {window.policy_code})."
                )
        async for event in say(" ".join(answers)):
            yield event
