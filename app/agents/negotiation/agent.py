"""The Negotiation worker: one customer message in, the graph's events out.

A message resumes the graph only when the session's pending confirmation is the very proposal
the checkpoint is waiting on (same proposal id); anything else starts a fresh run, which drops
a stale proposal. A structured answer (Confirm / Cancel) names its proposal itself: it resumes
whatever the checkpoint waits on, and `confirm` refuses it unless the ids are the same.

When the graph stops at `confirm`, the proposal is rendered and sent as a
`confirmation_required` event carrying its structured payload; the pipeline keeps that payload
as the session's pending confirmation, so the next turn ("yes") comes back here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from langgraph.types import Command

from app.agents.base import WorkerDeps
from app.agents.events import ChatEvent, EventType, word_chunks
from app.agents.negotiation import consent_step
from app.agents.negotiation.checkpoints import NegotiationSettings, thread_id
from app.agents.negotiation.context import TurnContext
from app.agents.negotiation.recovery import mid_write, read_after_failure
from app.agents.negotiation.replica import ReplicaGraph
from app.agents.negotiation.settlement import sweep
from app.agents.worker import WorkerRequest

log = logging.getLogger("app.agents.negotiation")


class NegotiationAgent:
    def __init__(self, deps: WorkerDeps, settings: NegotiationSettings | None = None) -> None:
        self.deps = deps
        self.settings = settings or NegotiationSettings.from_env(deps.variant)
        self.prompt = deps.prompts.get("negotiation")
        self._watcher: asyncio.Task[None] | None = None
        # Compiled once, over checkpoints opened once, for every turn this replica serves.
        self.replica = ReplicaGraph(self.settings)

    def config(self, request: WorkerRequest) -> dict[str, Any]:
        thread = thread_id(request.client_id, request.session_id, self.deps.variant)
        return {"configurable": {"thread_id": thread}}

    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        self._ensure_watcher()
        context = TurnContext(self.deps, request, self.settings, self.prompt)
        config = self.config(request)
        graph = (await self.replica.get()).graph
        # One read of the checkpoint serves both questions: mid-write, or waiting on a yes.
        snapshot = await graph.aget_state(config)
        waiting = _waiting_proposal(snapshot)
        pending = request.pending or {}
        consent = request.consent
        run_input: Any
        if mid_write(snapshot):
            # A turn died after the "yes" (a replica lost, a restart): finish that write
            # (same proposal, same key) and report it; never propose again.
            log.warning("resuming an interrupted write on %s", config["configurable"])
            run_input = None
        elif consent is not None and waiting is None:
            # A button pressed for an offer that is no longer open: nothing to confirm.
            for piece in word_chunks(consent_step.OFFER_GONE):
                yield ChatEvent.token(piece)
            return
        elif consent is not None:
            # The structured answer names its proposal; confirm compares the ids.
            run_input = Command(
                resume={"message": request.message, "consent": consent.model_dump()}
            )
        elif waiting is not None and pending.get("proposal_id") == waiting.get("proposal_id"):
            run_input = Command(resume=request.message)
        else:
            run_input = {"message": request.message, "intent": request.intent}
        # "sync": each step's checkpoint is durable before the next step starts, so a write
        # never begins before the checkpoint of its "yes" (a restart resumes, never
        # re-proposes, and a failed turn can tell that a write may have started).
        async for mode, chunk in graph.astream(
            run_input,
            config,
            context=context,
            stream_mode=["custom", "updates"],
            durability="sync",
        ):
            if mode == "custom":
                yield ChatEvent.model_validate(chunk)
            elif isinstance(chunk, dict) and "__interrupt__" in chunk:
                for event in _proposal_events(chunk["__interrupt__"][0].value):
                    yield event

    async def proposal_waiting(self, request: WorkerRequest) -> dict[str, Any] | None:
        graph = (await self.replica.get()).graph
        return _waiting_proposal(await graph.aget_state(self.config(request)))

    async def outcome_after_failure(self, request: WorkerRequest) -> str | None:
        """After a turn failed: what the platform shows about a write it may have started, or
        None when this conversation has no write that could have started (nothing changed)."""
        opened = await self.replica.get()
        snapshot = await opened.graph.aget_state(self.config(request))
        context = TurnContext(self.deps, request, self.settings, self.prompt)
        return await read_after_failure(context, snapshot, opened.store)

    async def sweep_settlements(self) -> int:
        """Act on every pending refund that has settled since (see settlement.py)."""
        store = (await self.replica.get()).store
        return await sweep(store, self.deps.executor, self.deps.platform, self.deps.write_leases)

    def _ensure_watcher(self) -> None:
        """Follow pending refunds in the background of whatever loop serves this agent."""
        if self.settings.settlement_poll_s <= 0:
            return
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.get_running_loop().create_task(
                self.watch_settlements(self.settings.settlement_poll_s)
            )

    async def aclose(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        await self.replica.aclose()

    async def watch_settlements(self, interval_s: float) -> None:
        """Run `sweep_settlements` every `interval_s` seconds, forever."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.sweep_settlements()
            except Exception:  # keep watching after a transient failure
                log.exception("settlement sweep failed")


def _proposal_events(payload: dict[str, Any]) -> list[ChatEvent]:
    text = str(payload.get("message", ""))
    events = [ChatEvent.token(piece) for piece in word_chunks(text)]
    events.append(ChatEvent(type=EventType.CONFIRMATION_REQUIRED, data=dict(payload)))
    return events


def _waiting_proposal(snapshot: Any) -> dict[str, Any] | None:
    """The proposal the checkpoint is waiting on, if any."""
    for pending in snapshot.interrupts:
        if isinstance(pending.value, dict) and "proposal_id" in pending.value:
            return dict(pending.value)
    return None
