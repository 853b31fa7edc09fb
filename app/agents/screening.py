"""Screening a message: the guardrail's verdict, then the router's decision, as one step.

The pipeline asks for both at once, so a composition can answer from one place: the Serve
graph's Guardrail replica routes the scrubbed message with the embedding its own encoder call
just made (one handle call a turn instead of two, and the embedding never crosses a process).
`GuardThenRoute` composes any guard and router ports in that order (in-process runs, tests).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from app.guardrails import GuardrailVerdict
from app.language.reasons import Gist
from app.routing.router import RouteDecision, RoutingContext


@dataclass(frozen=True)
class Screening:
    verdict: GuardrailVerdict
    # None when the message was blocked (never routed) or routing was not asked for.
    decision: RouteDecision | None
    # Time the router took, inside the screening (the rest is the guardrail's and the trip's).
    routing_ms: float = 0.0
    # The case reader's heads on the scrubbed message (app/agents/case_route.py), when the
    # screen was given the customer's item words and reads it; else the caller reads it.
    gist: Gist | None = None


class ScreenPort(Protocol):
    async def screen(
        self,
        text: str,
        context: RoutingContext,
        *,
        route: bool = True,
        case_words: Sequence[str] | None = None,
        protected: Sequence[str] = (),
    ) -> Screening: ...


class GuardPort(Protocol):
    # `protected`: the customer's own ids (hydration), kept by the scrubber however written.
    async def check(self, text: str, protected: Sequence[str] = ()) -> GuardrailVerdict: ...

    async def scrub(self, text: str) -> str: ...


class RouterPort(Protocol):
    async def route(
        self, text: str, context: RoutingContext, embedding: list[float] | None = None
    ) -> RouteDecision: ...


class GuardThenRoute:
    """The guard's check, then (unless blocked, or not asked) the router on the scrubbed text.
    The case reading is left to the caller (no `gist`)."""

    def __init__(self, guard: GuardPort, router: RouterPort) -> None:
        self.guard = guard
        self.router = router

    async def screen(
        self,
        text: str,
        context: RoutingContext,
        *,
        route: bool = True,
        case_words: Sequence[str] | None = None,
        protected: Sequence[str] = (),
    ) -> Screening:
        verdict = await self.guard.check(text, protected)
        if verdict.blocked or not route:
            return Screening(verdict, None)
        started = time.perf_counter()
        if verdict.route_embedding is not None:  # the guardrail's encoder call embedded it
            decision = await self.router.route(
                verdict.scrubbed_text, context, embedding=verdict.route_embedding
            )
        else:
            decision = await self.router.route(verdict.scrubbed_text, context)
        return Screening(verdict, decision, (time.perf_counter() - started) * 1000)
