"""One customer message, end to end:

    session lock → hydration → screening: guardrail (scrub, then injection check), then routing
    → worker → the turn written to the session (scrubbed) → done

Hydration comes first because it never sees the message, and the screening can then read the
case against the customer's own item names (app/agents/screening.py); nothing downstream of
the guardrail sees the unscrubbed message. The ports (screening, or guardrail and router, and
the workers) are plain async interfaces: in-process objects in tests and local runs, Ray Serve
deployment handles in the served graph. A turn is written to the session only once it
completed, so a failure leaves the session as it was.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from app.agents.base import WorkerDeps
from app.agents.case_route import case_words, outcome_intent
from app.agents.events import ChatEvent, EventType, word_chunks
from app.agents.screening import GuardPort, GuardThenRoute, RouterPort, ScreenPort
from app.agents.worker import ConsentDecision, Worker, WorkerRequest
from app.agents.worker_turn import WorkerTurn
from app.api.auth import Identity
from app.api.errors import ApiError
from app.api.http import SessionBusy as ApiSessionBusy
from app.api.http import UnknownSession as ApiUnknownSession
from app.guardrails import SAFE_REPLY
from app.observability import metrics
from app.observability.trace_recorder import TraceRecorder
from app.observability.traces import TraceBuilder, TurnTrace
from app.observability.tracing import annotate
from app.platform.client import CustomerRef
from app.routing.intents import INTENT_LABELS, Intent, Route, route_for
from app.routing.order_resolution import order_ids_in
from app.routing.router import RoutingContext
from app.sessions.errors import SessionBusy, UnknownSession
from app.sessions.hydration import HydratedContext, HydrationFailure, Hydrator
from app.sessions.models import Role, SessionState, Turn
from app.sessions.store import KEEP_PENDING, PendingChange, SessionStore
from app.sessions.summary import render_summary

log = logging.getLogger("app.agents.pipeline")


HYDRATION_FAILED_REPLY = (
    "I'm sorry, I can't reach your order details right now, so I can't answer reliably. "
    "Please try again in a few minutes."
)
INTERNAL_ERROR_REPLY = (
    "Something went wrong on our side and nothing has been changed. Please try again."
)
# The platform's definitive "no such tenant / customer" for the token's identity.
UNKNOWN_IDENTITY = {
    "client_not_found": ("unknown_tenant", "the platform knows no such tenant"),
    "customer_not_found": ("unknown_customer", "the platform knows no such customer"),
}
# A failed turn that may have started a write the platform could not be asked about.
UNKNOWN_REPLY = (
    "Something went wrong on our side, and I can't tell yet whether your request was made. "
    "Please don't submit it again: we will confirm the outcome to you as soon as it is known."
)


class MirrorPort(Protocol):
    """Where production sends a copy of each message: a shadow deployment's `shadow_turn`."""

    async def mirror(self, identity: Identity, session_id: str, message: str) -> None: ...


ReadinessProbe = Callable[[], Awaitable[str]]


class ChatPipeline:
    """The ChatService behind the HTTP API (see app.api.http.ChatService)."""

    def __init__(
        self,
        *,
        sessions: SessionStore,
        hydrator: Hydrator,
        guard: GuardPort | None = None,
        router: RouterPort | None = None,
        screen: ScreenPort | None = None,
        workers: Mapping[Route, Worker],
        deps: WorkerDeps,
        probes: Mapping[str, ReadinessProbe] | None = None,
        lock_timeout_s: float = 120.0,
        traces: TraceRecorder | None = None,
        variant: str = "production",
        mirror: MirrorPort | None = None,
    ) -> None:
        self.sessions = sessions
        self.hydrator = hydrator
        self.guard = guard
        self.router = router
        if screen is None:
            if guard is None or router is None:
                raise ValueError("a screen port, or both a guard and a router")
            screen = GuardThenRoute(guard, router)
        # The guardrail's verdict and the router's decision, in one step (screening.py).
        self.screen = screen
        self.workers = dict(workers)
        self.deps = deps
        self.probes = dict(probes or {})
        self.lock_timeout_s = lock_timeout_s
        self.traces = traces
        self.variant = variant
        self.mirror = mirror
        self._mirroring: set[asyncio.Task[None]] = set()
        self._mirror_tail: dict[str, asyncio.Task[None]] = {}

    # ------------------------------------------------------------ ChatService

    async def create_session(self, identity: Identity) -> str:
        # A validly signed token for a customer or tenant the platform does not know gets a
        # 403 before anything is stored. (A platform that cannot answer does not block the
        # session: the turn then says so honestly.)
        who = CustomerRef(identity.client_id, identity.user_id)
        hydrated = await self.hydrator.hydrate(self.deps.tool_context_for(who, "new-session"))
        if isinstance(hydrated, HydrationFailure) and hydrated.code in UNKNOWN_IDENTITY:
            code, message = UNKNOWN_IDENTITY[hydrated.code]
            raise ApiError(403, code, message)
        return await self.sessions.create(identity.client_id, identity.user_id)

    async def history(self, identity: Identity, session_id: str) -> list[dict[str, Any]]:
        try:
            state = await self.sessions.load(identity.client_id, identity.user_id, session_id)
        except UnknownSession:
            raise ApiUnknownSession() from None
        return [t.model_dump(mode="json") for t in state.turns]

    async def readiness(self) -> dict[str, str]:
        async def check(probe: ReadinessProbe) -> str:
            try:
                return await probe()
            except Exception as exc:
                return f"error: {type(exc).__name__}"

        # Concurrently: a fleet still starting (its probe waits on a first token) does not
        # hold up the answer about the others.
        names = sorted(self.probes)
        results = await asyncio.gather(*(check(self.probes[name]) for name in names))
        return dict(zip(names, results, strict=True))

    async def start_turn(
        self,
        identity: Identity,
        session_id: str,
        message: str,
        consent: ConsentDecision | None = None,
    ) -> AsyncIterator[ChatEvent]:
        try:
            state = await self.sessions.load(identity.client_id, identity.user_id, session_id)
        except UnknownSession:
            raise ApiUnknownSession() from None
        lock = self.sessions.lock(identity.client_id, session_id, self.lock_timeout_s)
        try:
            await lock.acquire()
        except SessionBusy:
            raise ApiSessionBusy() from None
        return self._turn(identity, state, message, lock, consent)

    async def shadow_turn(self, identity: Identity, session_id: str, message: str) -> None:
        """A mirrored message, run to the end and thrown away (its trace is the product). Only
        a shadow takes these; its session follows production's id in its own key space."""
        if self.variant == "production":
            raise RuntimeError("production does not take mirrored traffic")
        state = await self.sessions.ensure(identity.client_id, identity.user_id, session_id)
        lock = self.sessions.lock(
            identity.client_id, session_id, self.lock_timeout_s, wait_s=self.lock_timeout_s
        )
        await lock.acquire()  # mirrored turns of one session run in order
        async for _ in self._turn(identity, state, message, lock):
            pass

    def _mirror_later(self, identity: Identity, session_id: str, message: str) -> None:
        if self.mirror is None:
            return
        mirror = self.mirror
        # Copies of one session go out one after the other, in production's order: the
        # shadow must see "yes" after the request it answers, never before.
        previous = self._mirror_tail.get(session_id)

        async def send() -> None:
            if previous is not None:
                await asyncio.gather(previous, return_exceptions=True)
            try:
                await mirror.mirror(identity, session_id, message)
            except Exception as exc:
                # The shadow's trouble is never production's: note the type and move on.
                log.warning("mirroring to the shadow failed: %s", type(exc).__name__)

        task = asyncio.get_running_loop().create_task(send())
        self._mirroring.add(task)
        self._mirror_tail[session_id] = task

        def done(finished: asyncio.Task[None]) -> None:
            self._mirroring.discard(finished)
            if self._mirror_tail.get(session_id) is finished:
                del self._mirror_tail[session_id]

        task.add_done_callback(done)

    async def drain_mirror(self) -> None:
        """Wait for mirrored turns still in flight (tests, graceful shutdown)."""
        while self._mirroring:
            await asyncio.gather(*list(self._mirroring), return_exceptions=True)

    # ------------------------------------------------------------ the turn

    async def _turn(
        self,
        identity: Identity,
        state: SessionState,
        message: str,
        lock: Any,
        consent: ConsentDecision | None = None,
    ) -> AsyncIterator[ChatEvent]:
        started = time.perf_counter()
        progress = _Progress()
        try:
            async for event in self._run(identity, state, message, started, consent, progress):
                yield event
        except Exception:
            log.exception("turn failed")
            metrics.count_turn_outcome("unknown", "failed")
            # Before a word about a write this turn may have started, the platform is read.
            reply = await _after_failure(progress, may_write=state.pending_confirmation is not None)
            yield ChatEvent.error("internal_error", reply)
            yield ChatEvent(type=EventType.DONE, data={"ok": False})
        finally:
            await lock.release()

    async def _run(
        self,
        identity: Identity,
        state: SessionState,
        message: str,
        started: float,
        consent: ConsentDecision | None = None,
        progress: _Progress | None = None,
    ) -> AsyncIterator[ChatEvent]:
        # A support agent may have taken this conversation over (app/sessions/takeover.py):
        # then the message is only scrubbed, never routed.
        held = await self.sessions.held_by_human(identity.client_id, state.session_id)
        who = CustomerRef(identity.client_id, identity.user_id)
        request_ctx = self.deps.tool_context_for(who, state.session_id)
        # Hydration first (it never sees the message): the scrubber then knows the customer's
        # own ids, and the screening can read the case against their item names in the same
        # batch as the guardrail's encoder.
        hydration_started = time.perf_counter()
        hydrated = None if held else await self.hydrator.hydrate(request_ctx)
        hydration_ms = (time.perf_counter() - hydration_started) * 1000
        orders = hydrated.context.active_orders if isinstance(hydrated, HydratedContext) else []
        # The customer's own order ids and AWBs: the scrubber keeps them however written.
        known_ids = hydrated.known_ids() if isinstance(hydrated, HydratedContext) else []
        # The case is read only where its reading is used: a free-text turn, no open proposal.
        reads_case = consent is None and state.pending_confirmation is None and bool(orders)
        screen_started = time.perf_counter()
        screening = await self.screen.screen(
            message,
            _routing_context(state),
            route=not held,
            case_words=case_words(orders) if reads_case else None,
            protected=known_ids,
        )
        verdict = screening.verdict
        # The trace starts from the scrubbed text: the raw message is never kept anywhere.
        trace = TraceBuilder(
            variant=self.variant,
            client_id=identity.client_id,
            session_id=state.session_id,
            customer_id=identity.user_id,
            message=verdict.scrubbed_text,
            started=started,
        )
        screened_ms = (time.perf_counter() - screen_started) * 1000
        trace.add_latency("guardrail", screened_ms - screening.routing_ms)
        user_turn = Turn(role=Role.USER, text=verdict.scrubbed_text)
        if held:
            # The scrubbed message is kept for the person who holds the conversation, and no
            # agent runs.
            await self._record(identity, state, user_turn)
            self._trace(trace.finish(response="", ttft_ms=None, outcome="human"), known_ids)
            yield ChatEvent(type=EventType.DONE, data={"ok": True, "human": True})
            return
        # The shadow gets the scrubbed text: personal data never leaves this guardrail. (Not
        # while a person holds the conversation: no agent answers then, the shadow neither.)
        self._mirror_later(identity, state.session_id, verdict.scrubbed_text)
        if verdict.blocked:
            trace.trace.blocked = True
            trace.trace.decisions.append(f"guardrail: blocked ({verdict.reason})")
            self._trace(
                trace.finish(response=SAFE_REPLY, ttft_ms=None, outcome="blocked"), known_ids
            )
            # A flagged message is never routed, so it can never reach a write tool.
            for piece in word_chunks(SAFE_REPLY):
                yield ChatEvent.token(piece)
            await self._record(
                identity,
                state,
                user_turn,
                Turn(
                    role=Role.ASSISTANT,
                    text=SAFE_REPLY,
                    decisions=[f"guardrail: blocked ({verdict.reason})"],
                ),
            )
            metrics.count_turn_outcome("guardrail", "blocked")
            yield ChatEvent(
                type=EventType.DONE, data={"ok": True, "blocked": True, "reason": verdict.reason}
            )
            return

        trace.add_latency("hydration", hydration_ms)
        if not isinstance(hydrated, HydratedContext):
            self._trace(trace.finish(response="", ttft_ms=None, outcome="failed"), known_ids)
            metrics.count_turn_outcome("unknown", "failed")
            yield ChatEvent.error("platform_unavailable", HYDRATION_FAILED_REPLY)
            yield ChatEvent(type=EventType.DONE, data={"ok": False})
            return

        trace.begin("routing")
        trace.add_latency("routing", screening.routing_ms)  # the router's part of screening
        decision = screening.decision
        if decision is None:  # a screen port that did not route an unblocked message
            raise RuntimeError("screening returned no routing decision")
        if consent is not None and decision.route is not Route.NEGOTIATION:
            # A structured answer to a proposal belongs to the worker that proposes.
            decision = decision.model_copy(update={"route": Route.NEGOTIATION})
        elif (
            decision.route in _ASKABLE or decision.route is Route.REFUSAL
        ) and state.pending_confirmation is None:
            # A plain request for a refund or return goes where one can be granted. Out of
            # the refusal only when it is about one of the customer's own orders ("sleeping
            # bag missing from the box" read as out of scope): the router's refusal of
            # anything else stands.
            asked = outcome_intent(
                verdict.scrubbed_text,
                hydrated.context.active_orders,
                answering=_negotiating(state),
                gist=screening.gist,
                own_order_only=decision.route is Route.REFUSAL,
            )
            if asked is not None:
                decision = decision.model_copy(update={"route": Route.NEGOTIATION, "intent": asked})
        trace.end("routing")
        trace.trace.prompt = hydrated.render()
        trace.trace.intent, trace.trace.route = decision.intent.value, decision.route.value
        trace.trace.confidence = round(decision.confidence, 3)
        # The OTel trace of this request names the stored turn trace, and the other way round.
        annotate(
            **{
                "osa.trace_id": trace.trace.trace_id,
                "osa.client_id": identity.client_id,
                "osa.route": decision.route.value,
                "osa.intent": decision.intent.value,
            }
        )
        tier = decision.route.value
        metrics.count_request(tier, decision.intent.value)
        request = WorkerRequest(
            client_id=identity.client_id,
            customer_id=identity.user_id,
            session_id=state.session_id,
            message=verdict.scrubbed_text,
            intent=decision.intent.value,
            confidence=decision.confidence,
            context=hydrated.context,
            history=[
                {"role": t.role.value, "text": t.text, "decisions": t.decisions}
                for t in state.turns
            ],
            summary=render_summary(state.summary) if state.summary else None,
            pending=state.pending_confirmation,
            consent=consent,
        )
        worker = self.workers[decision.route]
        if progress is not None:
            progress.worker, progress.request = worker, request
        turn = WorkerTurn(
            tier=tier,
            intent=decision.intent.value,
            started=started,
            trace=trace,
            decisions=[
                f"router: {decision.intent.value} {decision.confidence:.2f} ({decision.source})"
            ],
        )
        async for event in worker.handle(request):
            forwarded = turn.observe(event)
            if forwarded is not None:
                yield forwarded
        user_turn = user_turn.model_copy(
            update={"intent": decision.intent.value, "route": decision.route.value}
        )
        await self._record(
            identity,
            state,
            user_turn,
            Turn(
                role=Role.ASSISTANT,
                text=turn.text,
                intent=decision.intent.value,
                route=decision.route.value,
                tool_calls=turn.kept_calls,
                decisions=turn.kept_decisions,
            ),
            # A proposal is answered in the very next turn or not at all: any other turn clears
            # it, so a later "yes" can never confirm terms the customer no longer has in view.
            pending=(
                turn.proposal
                if turn.proposal is not None or state.pending_confirmation is not None
                else KEEP_PENDING
            ),
        )
        elapsed = time.perf_counter() - started
        trace.trace.decisions = turn.kept_decisions
        self._trace(
            trace.finish(response=turn.text, ttft_ms=turn.ttft_ms, outcome=turn.outcome), known_ids
        )
        turn.count(elapsed)
        yield ChatEvent(
            type=EventType.DONE,
            data={
                "ok": True,
                "intent": decision.intent.value,
                "route": decision.route.value,
                "confidence": round(decision.confidence, 3),
                "ttft_ms": turn.ttft_ms,
                "latency_ms": round(elapsed * 1000, 1),
            },
        )

    def _trace(self, trace: TurnTrace, protected: Sequence[str] = ()) -> None:
        # The turn's own ids ride beside the trace (never in it): the recorder's scrub keeps
        # them as the message's screening did, so a bare AWB is not stored as a phone number.
        if self.traces is not None:
            self.traces.record_later(trace, protected)

    async def _record(
        self,
        identity: Identity,
        state: SessionState,
        *turns: Turn,
        pending: PendingChange = KEEP_PENDING,
    ) -> None:
        # The turn's records (and the proposal's state) in one session write.
        await self.sessions.record_turns(
            identity.client_id, identity.user_id, state.session_id, turns, pending=pending
        )


@dataclass
class _Progress:
    """How far a turn got: the worker it reached, and with which request."""

    worker: Worker | None = None
    request: WorkerRequest | None = None


# How long a failed turn may spend reading the platform before it answers.
AFTER_FAILURE_READ_S = 15.0


async def _after_failure(progress: _Progress, *, may_write: bool) -> str:
    """The reply of a failed turn. "Nothing has been changed" only when the worker says no
    write could have started (or none was reached); otherwise what the platform shows."""
    read = getattr(progress.worker, "outcome_after_failure", None)
    if read is None or progress.request is None:
        return INTERNAL_ERROR_REPLY if not (may_write and progress.worker) else UNKNOWN_REPLY
    try:
        async with asyncio.timeout(AFTER_FAILURE_READ_S):
            text = await read(progress.request)
    except Exception:
        log.exception("reading the platform after a failed turn failed")
        return UNKNOWN_REPLY if may_write else INTERNAL_ERROR_REPLY
    return INTERNAL_ERROR_REPLY if text is None else str(text)


# Routes whose worker cannot grant an outcome: a clear request for one is sent on (a message
# the router was unsure of included: "the socks never came, I want my money back" needs no
# clarifying question when the case reader reads it plainly).
_ASKABLE = frozenset({Route.TRACKING, Route.POLICY, Route.CLARIFY})


def _negotiating(state: SessionState) -> Intent | None:
    """The previous message's intent when Negotiation took it (its question may be pending)."""
    last = next((t for t in reversed(state.turns) if t.role is Role.USER and t.intent), None)
    if last is None or last.intent not in INTENT_LABELS:
        return None
    intent = Intent(last.intent)
    return intent if route_for(intent) is Route.NEGOTIATION else None


def _routing_context(state: SessionState) -> RoutingContext:
    last_intent = next(
        (t.intent for t in reversed(state.turns) if t.role is Role.USER and t.intent), None
    )
    pending = state.pending_confirmation
    if pending and pending.get("intent") in INTENT_LABELS:
        # A reply to a proposal ("yes", "no, $20") belongs to the worker that proposed.
        last_intent = pending["intent"]
    recent: list[str] = []
    for turn in state.turns[-4:]:
        recent.extend(order_ids_in(turn.text))
    last_reply = next((t for t in reversed(state.turns) if t.role is Role.ASSISTANT), None)
    return RoutingContext(
        last_intent=last_intent,  # type: ignore[arg-type]
        pending_confirmation=state.pending_confirmation is not None,
        recent_order_ids=tuple(dict.fromkeys(recent)),
        asked_to_clarify=last_reply is not None and last_reply.route == Route.CLARIFY.value,
    )
