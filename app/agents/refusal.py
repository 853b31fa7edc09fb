"""Out-of-scope messages get a polite, fixed refusal: no model, no tools."""

from __future__ import annotations

from collections.abc import AsyncIterator

from app.agents.base import say
from app.agents.events import ChatEvent
from app.agents.worker import WorkerRequest

REFUSAL = (
    "I can help with tracking your orders, return and refund policies, and returns, refunds "
    "or delivery problems. I'm not able to help with that one, but feel free to ask about an "
    "order."
)


class RefusalAgent:
    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        async for event in say(REFUSAL):
            yield event
