"""The negotiation graph is compiled, and its checkpoints opened, once per replica: not on
every turn. Counted on the real graph and the real SQLite checkpointer across a whole
conversation (a proposal, the yes, the reads a failed turn and the settlement sweep make)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from app.agents.negotiation import NegotiationAgent, replica
from app.platform.client import PlatformClient
from tests.negotiation_cases import CleanOrder
from tests.negotiation_harness import assert_invariants, settings_for, start, view


class Counts:
    def __init__(self) -> None:
        self.compiled = 0
        self.opened = 0
        self.closed = 0


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Counts:
    """Wraps the real compile and open (they still run) to count them."""
    seen = Counts()
    real_compile, real_open = replica.compile_graph, replica.open_checkpoints

    def counting_compile(*args: Any, **kwargs: Any) -> Any:
        seen.compiled += 1
        return real_compile(*args, **kwargs)

    @asynccontextmanager
    async def counting_open(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        seen.opened += 1
        async with real_open(*args, **kwargs) as opened:
            yield opened
        seen.closed += 1

    monkeypatch.setattr(replica, "compile_graph", counting_compile)
    monkeypatch.setattr(replica, "open_checkpoints", counting_open)
    return seen


async def test_a_whole_conversation_compiles_and_opens_once(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder, counts: Counts
) -> None:
    conv = await start(agent, order.who)
    first = await conv.say(f"refund {order.order_id}, it never arrived", "delivery_dispute")
    assert first.proposal is not None, first.text
    done = await conv.say("yes")
    (refund,) = (await view(admin, order.who, order.order_id)).refunds
    assert f"approved (refund {refund.refund_id})" in done.text
    other = await start(agent, order.who)  # a second session on the same replica
    await other.say("what did you do with my refund?")
    await agent.sweep_settlements()
    assert (counts.compiled, counts.opened, counts.closed) == (1, 1, 0)
    await agent.aclose()
    assert counts.closed == 1
    await assert_invariants(admin, conv)


async def test_concurrent_first_turns_open_it_once(agent: NegotiationAgent, counts: Counts) -> None:
    first, second = await asyncio.gather(agent.replica.get(), agent.replica.get())
    assert first is second and (counts.compiled, counts.opened) == (1, 1)


async def test_after_close_the_next_turn_opens_again(
    agent: NegotiationAgent, counts: Counts
) -> None:
    before = await agent.replica.get()
    await agent.aclose()
    after = await agent.replica.get()
    assert after is not before and (counts.opened, counts.closed) == (2, 1)
    # The reopened checkpointer works: an unknown thread reads as empty.
    snapshot = await after.graph.aget_state({"configurable": {"thread_id": "nobody:none"}})
    assert snapshot.values == {}


def test_another_event_loop_gets_its_own_connections(tmp_path: Path, counts: Counts) -> None:
    """aiosqlite connections belong to their loop: a second loop opens afresh and works."""
    holder = replica.ReplicaGraph(settings_for(tmp_path / "cp.sqlite"))

    async def read(then_close: bool) -> dict[str, Any]:
        opened = await holder.get()
        snapshot = await opened.graph.aget_state({"configurable": {"thread_id": "a:b"}})
        if then_close:
            await holder.aclose()
        return dict(snapshot.values)

    assert asyncio.run(read(then_close=False)) == {}
    assert asyncio.run(read(then_close=True)) == {}
    assert (counts.opened, counts.compiled, counts.closed) == (2, 2, 1)


def test_the_pool_size_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.agents.negotiation.checkpoints import ENV_POSTGRES_POOL, NegotiationSettings

    assert NegotiationSettings.from_env().postgres_pool_size == 8
    monkeypatch.setenv(ENV_POSTGRES_POOL, "3")
    assert NegotiationSettings.from_env().postgres_pool_size == 3
    monkeypatch.setenv(ENV_POSTGRES_POOL, "0")
    with pytest.raises(ValueError):
        NegotiationSettings.from_env()
