"""The Redis session store against a real server: ownership, TTL, atomic appends, the lock,
and the running summary that keeps the decision trace. All ids and texts are fictional."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from redis.asyncio import Redis

from app.sessions import (
    Role,
    SessionBusy,
    SessionSettings,
    SessionStore,
    ToolCallRecord,
    Turn,
    UnknownSession,
    fold,
    render_summary,
)
from app.sessions import store as store_module

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def tenant() -> str:
    """A fresh client id per test: the server is shared and never flushed."""
    return f"t{uuid.uuid4().hex[:12]}"


def user_turn(i: int, text: str | None = None, **extra: Any) -> Turn:
    return Turn(role=Role.USER, text=text or f"message {i}", at=T0 + timedelta(minutes=i), **extra)


async def raw(redis: Redis, store: SessionStore, client: str, sid: str) -> bytes | None:
    value: bytes | None = await redis.get(store.key(client, sid))
    return value


# ---------------------------------------------------------------- create, load, ownership


async def test_create_then_load_returns_an_empty_session_of_that_user(redis: Redis) -> None:
    store = SessionStore(redis)
    client = tenant()
    sid = await store.create(client, "user-a")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", sid)
    state = await store.load(client, "user-a", sid)
    assert (state.client_id, state.user_id, state.session_id) == (client, "user-a", sid)
    assert state.turns == [] and state.summary is None and state.pending_confirmation is None
    assert await store.create(client, "user-a") != sid


async def test_other_user_other_tenant_and_bad_ids_get_unknown_session(redis: Redis) -> None:
    store = SessionStore(redis)
    client, other_client = tenant(), tenant()
    sid = await store.create(client, "user-a")
    before = await raw(redis, store, client, sid)
    with pytest.raises(UnknownSession):
        await store.load(client, "user-b", sid)
    with pytest.raises(UnknownSession):
        await store.load(other_client, "user-a", sid)
    with pytest.raises(UnknownSession):
        await store.load(client, "user-a", "no-such-session-id-0000")
    with pytest.raises(UnknownSession):
        await store.load(client, "user-a", "bad:id*with:colons")
    with pytest.raises(UnknownSession):
        await store.append_turn(client, "user-b", sid, user_turn(1))
    with pytest.raises(UnknownSession):
        await store.set_pending_confirmation(other_client, "user-a", sid, {"x": 1})
    with pytest.raises(ValueError):
        await store.load("Not A Client", "user-a", sid)
    assert await raw(redis, store, client, sid) == before


# ---------------------------------------------------------------- TTL


async def test_ttl_is_set_on_create_and_refreshed_by_reads_and_writes(redis: Redis) -> None:
    store = SessionStore(redis, SessionSettings(ttl_s=120))
    client = tenant()
    sid = await store.create(client, "user-a")
    key = store.key(client, sid)
    assert 115 <= await redis.ttl(key) <= 120

    await redis.expire(key, 5)
    await store.load(client, "user-a", sid)
    assert await redis.ttl(key) > 100

    await redis.expire(key, 5)
    await store.append_turn(client, "user-a", sid, user_turn(1))
    assert await redis.ttl(key) > 100

    await redis.expire(key, 5)
    await store.set_pending_confirmation(client, "user-a", sid, {"action": "refund"})
    assert await redis.ttl(key) > 100


async def test_a_stranger_reading_does_not_keep_the_session_alive(redis: Redis) -> None:
    store = SessionStore(redis, SessionSettings(ttl_s=120))
    client = tenant()
    sid = await store.create(client, "user-a")
    await redis.expire(store.key(client, sid), 5)
    with pytest.raises(UnknownSession):
        await store.load(client, "user-b", sid)
    assert await redis.ttl(store.key(client, sid)) <= 5


async def test_an_expired_session_is_unknown(redis: Redis) -> None:
    store = SessionStore(redis, SessionSettings(ttl_s=1))
    client = tenant()
    sid = await store.create(client, "user-a")
    await redis.pexpire(store.key(client, sid), 50)
    await asyncio.sleep(0.15)
    with pytest.raises(UnknownSession):
        await store.load(client, "user-a", sid)


# ---------------------------------------------------------------- atomic appends


async def test_concurrent_appends_all_land(redis: Redis) -> None:
    store = SessionStore(redis, SessionSettings(max_turns=50))
    client = tenant()
    sid = await store.create(client, "user-a")
    await asyncio.gather(
        *(store.append_turn(client, "user-a", sid, user_turn(i)) for i in range(20))
    )
    state = await store.load(client, "user-a", sid)
    assert sorted(t.text for t in state.turns) == sorted(f"message {i}" for i in range(20))
    assert state.turn_count == 20
    assert state.version == 20


async def test_concurrent_appends_that_fold_lose_nothing(redis: Redis) -> None:
    store = SessionStore(redis, SessionSettings(max_turns=4))
    client = tenant()
    sid = await store.create(client, "user-a")
    turns = [user_turn(i, f"about ORD-{1000100 + i}") for i in range(16)]
    await asyncio.gather(*(store.append_turn(client, "user-a", sid, t) for t in turns))
    state = await store.load(client, "user-a", sid)
    assert state.turn_count == 16 and len(state.turns) == 4
    assert state.summary is not None and state.summary.turns_folded == 12
    seen = set(state.summary.orders_mentioned) | {t.text[6:] for t in state.turns}
    assert seen == {f"ORD-{1000100 + i}" for i in range(16)}


# ---------------------------------------------------------------- nothing half-written


async def test_an_invalid_turn_leaves_the_session_untouched(redis: Redis) -> None:
    store = SessionStore(redis)
    client = tenant()
    sid = await store.create(client, "user-a")
    await store.append_turn(client, "user-a", sid, user_turn(1))
    before = await raw(redis, store, client, sid)
    with pytest.raises(ValidationError):
        await store.append_turn(client, "user-a", sid, {"role": "robot", "text": "hi"})
    with pytest.raises(ValidationError):
        await store.append_turn(client, "user-a", sid, {"role": "user", "text": "x" * 9000})
    with pytest.raises(ValidationError):
        await store.append_turn(
            client, "user-a", sid, {"role": "user", "text": "hi", "at": "2026-03-01T09:00:00"}
        )
    assert await raw(redis, store, client, sid) == before


async def test_a_failure_while_folding_leaves_the_session_untouched(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SessionStore(redis, SessionSettings(max_turns=2))
    client = tenant()
    sid = await store.create(client, "user-a")
    for i in range(2):
        await store.append_turn(client, "user-a", sid, user_turn(i))
    before = await raw(redis, store, client, sid)

    def broken_fold(*_: object) -> None:
        raise RuntimeError("fold failed")

    monkeypatch.setattr(store_module, "fold", broken_fold)
    with pytest.raises(RuntimeError):
        await store.append_turn(client, "user-a", sid, user_turn(3))
    assert await raw(redis, store, client, sid) == before


async def test_an_unserialisable_proposal_leaves_the_session_untouched(redis: Redis) -> None:
    store = SessionStore(redis)
    client = tenant()
    sid = await store.create(client, "user-a")
    before = await raw(redis, store, client, sid)
    with pytest.raises(ValueError):
        await store.set_pending_confirmation(client, "user-a", sid, {"bad": object()})
    assert await raw(redis, store, client, sid) == before


async def test_pending_confirmation_is_stored_kept_across_turns_and_cleared(
    redis: Redis,
) -> None:
    store = SessionStore(redis)
    client = tenant()
    sid = await store.create(client, "user-a")
    proposal = {"action": "initiate_refund", "order_id": "ORD-1000042", "amount": "89.99"}
    await store.set_pending_confirmation(client, "user-a", sid, proposal)
    await store.append_turn(client, "user-a", sid, user_turn(1, "yes please"))
    assert (await store.load(client, "user-a", sid)).pending_confirmation == proposal
    await store.set_pending_confirmation(client, "user-a", sid, None)
    assert (await store.load(client, "user-a", sid)).pending_confirmation is None


# ---------------------------------------------------------------- the lock


async def test_the_lock_is_exclusive_and_released(redis: Redis) -> None:
    store = SessionStore(redis)
    client, sid = tenant(), "s" * 32
    async with store.lock(client, sid, timeout_s=5):
        with pytest.raises(SessionBusy):
            async with store.lock(client, sid, timeout_s=5):
                pass
    async with store.lock(client, sid, timeout_s=5) as second:
        assert second.released_cleanly is None
    assert second.released_cleanly is True
    assert await redis.exists(store.lock_key(client, sid)) == 0


async def test_a_waiting_request_gets_the_lock_once_it_is_released(redis: Redis) -> None:
    store = SessionStore(redis)
    client, sid = tenant(), "w" * 32
    first = store.lock(client, sid, timeout_s=5)
    await first.acquire()

    async def release_soon() -> None:
        await asyncio.sleep(0.1)
        await first.release()

    releasing = asyncio.create_task(release_soon())
    async with store.lock(client, sid, timeout_s=5, wait_s=2.0):
        assert first.released_cleanly is True
    await releasing


async def test_an_expired_lock_is_taken_over_and_the_old_holder_cannot_release_it(
    redis: Redis,
) -> None:
    store = SessionStore(redis)
    client, sid = tenant(), "e" * 32
    slow = store.lock(client, sid, timeout_s=0.1)
    await slow.acquire()
    await asyncio.sleep(0.2)
    async with store.lock(client, sid, timeout_s=5):
        assert await slow.release() is False
        assert await slow.extend(5) is False
        with pytest.raises(SessionBusy):  # the new holder's lock survived the old release
            await store.lock(client, sid, timeout_s=5).acquire()


# ---------------------------------------------------------------- the running summary


def scripted_conversation() -> list[Turn]:
    """30 turns: lookups, two refunds (one rejected), a return, an escalation, chit-chat."""
    turns: list[Turn] = []

    def add(role: Role, text: str, **extra: Any) -> None:
        turns.append(Turn(role=role, text=text, at=T0 + timedelta(minutes=len(turns)), **extra))

    add(Role.USER, "Where is my order ORD-1000042?", intent="order_status")
    add(
        Role.ASSISTANT,
        "It was delivered yesterday.",
        route="tracking",
        tool_calls=[
            ToolCallRecord(
                tool="get_order_status",
                arguments={"awb": "AWB-7730012345"},
                ok=True,
                summary="delivered",
            )
        ],
    )
    add(Role.USER, "It never arrived, please refund ORD-1000042.", intent="refund_request")
    add(
        Role.ASSISTANT,
        "Refund of 89.99 issued.",
        route="negotiation",
        tool_calls=[
            ToolCallRecord(
                tool="check_fraud_score",
                arguments={"order_id": "ORD-1000042"},
                ok=True,
                summary="low 0.12",
            ),
            ToolCallRecord(
                tool="initiate_refund",
                arguments={
                    "order_id": "ORD-1000042",
                    "amount": 89.99,
                    "reason_code": "DELIVERY_DISPUTE",
                },
                ok=True,
                summary="REF-2000007 approved",
            ),
        ],
        decisions=["fraud band low", "customer confirmed refund of 89.99"],
    )
    add(Role.USER, "Also return the scarf from ORD-1000077.", intent="return_request")
    add(
        Role.ASSISTANT,
        "Return started.",
        tool_calls=[
            ToolCallRecord(
                tool="initiate_return",
                arguments={
                    "order_id": "ORD-1000077",
                    "items": [{"sku": "SKU-1234-A", "quantity": 1}],
                    "reason_code": "CUSTOMER_REQUEST",
                },
                ok=True,
                summary="RET-3000001 approved",
            )
        ],
    )
    add(Role.USER, "And refund ORD-1000099 in full.", intent="refund_request")
    add(
        Role.ASSISTANT,
        "That refund could not be made.",
        tool_calls=[
            ToolCallRecord(
                tool="initiate_refund",
                arguments={
                    "order_id": "ORD-1000099",
                    "amount": 500,
                    "reason_code": "CUSTOMER_REQUEST",
                },
                ok=False,
                summary="amount_exceeds_refundable",
            )
        ],
    )
    add(Role.USER, "I want a person.", intent="escalation")
    add(
        Role.SYSTEM,
        "Escalated to a human agent.",
        tool_calls=[
            ToolCallRecord(
                tool="escalate_to_human",
                arguments={"reason": "customer_request", "order_id": "ORD-1000099"},
                ok=True,
                summary="TCK-4000003 open",
            )
        ],
    )
    add(Role.AGENT_HUMAN, "Hi, I am looking at ORD-1000099 now.")
    for i in range(19):
        role = Role.USER if i % 2 == 0 else Role.ASSISTANT
        add(role, f"small talk {i}", intent="chit_chat" if role is Role.USER else None)
    return turns


async def test_summary_keeps_the_decision_trace_and_only_n_full_turns(redis: Redis) -> None:
    store = SessionStore(redis, SessionSettings(max_turns=10))
    client = tenant()
    sid = await store.create(client, "user-a")
    conversation = scripted_conversation()
    for turn in conversation:
        await store.append_turn(client, "user-a", sid, turn)
    state = await store.load(client, "user-a", sid)

    assert state.turn_count == 30
    assert state.turns == conversation[-10:]
    summary = state.summary
    assert summary is not None and summary.turns_folded == 20
    assert summary.orders_mentioned == ["ORD-1000042", "ORD-1000077", "ORD-1000099"]
    assert summary.orders_confirmed == ["ORD-1000042", "ORD-1000077", "ORD-1000099"]
    assert summary.actions == [
        "initiate_refund ORD-1000042 89.99 DELIVERY_DISPUTE → REF-2000007 approved",
        "initiate_return ORD-1000077 SKU-1234-Ax1 CUSTOMER_REQUEST → RET-3000001 approved",
        "initiate_refund ORD-1000099 500.00 CUSTOMER_REQUEST → failed: amount_exceeds_refundable",
    ]
    assert summary.escalations == [
        "escalate_to_human ORD-1000099 customer_request → TCK-4000003 open"
    ]
    assert summary.intents == [
        "order_status",
        "refund_request",
        "return_request",
        "escalation",
        "chit_chat",
    ]
    assert summary.decisions == ["fraud band low", "customer confirmed refund of 89.99"]
    for ref in ("AWB-7730012345", "REF-2000007", "RET-3000001", "TCK-4000003", "SKU-1234-A"):
        assert ref in summary.references
    block = render_summary(summary)
    for needle in ("REF-2000007", "TCK-4000003", "ORD-1000042", "Earlier turns (summarised): 20"):
        assert needle in block


def test_folding_is_deterministic_and_incremental() -> None:
    conversation = scripted_conversation()
    at_once = fold(None, conversation)
    stepwise = None
    for turn in conversation:
        stepwise = fold(stepwise, [turn])
    assert stepwise == at_once
    assert render_summary(at_once) == render_summary(fold(None, conversation))
    assert not any(line != line.rstrip() for line in render_summary(at_once).split("\n"))


async def test_character_budget_folds_old_turns_but_keeps_the_newest(redis: Redis) -> None:
    store = SessionStore(redis, SessionSettings(max_turns=10, max_chars=500))
    client = tenant()
    sid = await store.create(client, "user-a")
    for i in range(4):
        await store.append_turn(client, "user-a", sid, user_turn(i, f"ORD-{1000200 + i} " * 15))
    state = await store.load(client, "user-a", sid)
    assert len(state.turns) == 2 and sum(len(t.text) for t in state.turns) <= 500
    assert state.summary is not None and state.summary.orders_mentioned[:2] == [
        "ORD-1000200",
        "ORD-1000201",
    ]
    state = await store.append_turn(client, "user-a", sid, user_turn(9, "y" * 900))
    assert [t.text for t in state.turns] == ["y" * 900]


async def test_batch_folding_keeps_the_summary_stable_between_folds(redis: Redis) -> None:
    store = SessionStore(redis, SessionSettings(max_turns=6, fold_to_turns=3))
    client = tenant()
    sid = await store.create(client, "user-a")
    for i in range(7):
        state = await store.append_turn(client, "user-a", sid, user_turn(i))
    assert len(state.turns) == 3 and state.summary is not None
    folded_once = state.summary
    for i in range(7, 10):
        state = await store.append_turn(client, "user-a", sid, user_turn(i))
        assert state.summary == folded_once
    assert len(state.turns) == 6


# ---------------------------------------------------------------- the local server


def test_redis_url_from_the_environment_wins_and_nothing_is_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.sessions import local_redis as local

    def must_not_start(*_: object) -> None:
        raise AssertionError("a server was started although REDIS_URL is set")

    monkeypatch.setenv("REDIS_URL", "redis://10.0.0.7:6380/2")
    monkeypatch.setattr(local, "_start", must_not_start)
    with local.local_redis() as url:
        assert url == "redis://10.0.0.7:6380/2"
    assert local.main(["--port", "1"]) == 0


def test_the_foreground_command_runs_the_bundled_binary_without_persistence(
    tmp_path: Path,
) -> None:
    from app.sessions.local_redis import server_command

    command = server_command(6390, tmp_path)
    assert command[0].endswith("valkey-server")
    assert command[1:] == [
        "--port",
        "6390",
        "--bind",
        "127.0.0.1",
        "--dir",
        str(tmp_path),
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
    ]
