"""A shadow version next to production: it gets a scrubbed copy of every message, runs its own
sessions and its write tools in dry-run (validated, recorded, never sent), its answers never
reach the customer, and `evals.shadow_compare` reports how it would have differed. Real
platform service, real Redis, both pipelines in this process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from app.agents.compose import LocalMirror, build_local_pipeline
from app.agents.pipeline import ChatPipeline
from app.api.auth import Identity, Role, TokenService
from app.api.http import create_chat_app
from app.config import AgentSettings
from app.observability.trace_store import TraceStore
from app.platform.client import CustomerRef, PlatformClient
from app.platform.contract import ShipmentStatus
from app.tools import AgentTier, ToolContext, ToolExecutor, ToolFailure
from app.tools.executor import DRY_RUN
from evals.shadow_compare import compare
from evals.shadow_compare import main as compare_main
from tests.fixtures import SeedIndex
from tests.platform_server import API_KEY, RunningPlatform

SECRET = "shadow-test-secret-" + "s" * 40
EMAIL = "casey.north19@example.com"  # fictional


@pytest.fixture
async def pipelines(
    platform_server: RunningPlatform,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> AsyncIterator[tuple[ChatPipeline, ChatPipeline]]:
    monkeypatch.setenv("MILVUS_URI", "off")
    # Each variant keeps its own checkpoint database (under var/ by default).
    monkeypatch.delenv("OSA_NEGOTIATION_CHECKPOINTS", raising=False)
    base = {
        "platform_url": platform_server.base_url,
        "platform_api_key": API_KEY,
        "redis_url": redis_url,
        "llm_base_url": None,
    }
    shadow = build_local_pipeline(AgentSettings(**base, variant="shadow"))
    production = build_local_pipeline(AgentSettings(**base), mirror=LocalMirror(shadow))
    yield production, shadow
    await production.deps.platform.aclose()
    await shadow.deps.platform.aclose()


async def say(
    api: httpx.AsyncClient, headers: dict[str, str], session_id: str, message: str
) -> list[tuple[str, dict[str, Any]]]:
    response = await api.post(
        f"/v1/sessions/{session_id}/messages",
        headers=headers,
        json={"message": message, "stream": False},
    )
    assert response.status_code == 200, response.text
    return [(e["type"], e["data"]) for e in response.json()["events"]]


async def test_the_shadow_sees_every_message_writes_nothing_and_is_compared(
    pipelines: tuple[ChatPipeline, ChatPipeline], seed: SeedIndex, redis_url: str
) -> None:
    production, shadow = pipelines
    tokens = TokenService(SECRET)
    pick = seed.take(ShipmentStatus.DELIVERED_DISPUTED)
    who = pick.who
    headers = {"Authorization": f"Bearer {tokens.issue(who.customer_id, who.client_id)}"}
    transport = httpx.ASGITransport(app=create_chat_app(production, tokens))
    async with httpx.AsyncClient(transport=transport, base_url="http://agent") as api:
        session_id = (await api.post("/v1/sessions", headers=headers)).json()["session_id"]
        messages = [
            f"where is {pick.shipment.awb}? you can mail me at {EMAIL}",
            f"I want a refund for {pick.order.order_id}, it never arrived",
            "yes",
        ]
        replies = []
        for message in messages:
            replies.append(await say(api, headers, session_id, message))
            # The shadow reads the same live platform: let it finish each turn before production
            # goes on, or a slow shadow can read the request after production's refund exists
            # (then it rightly proposes nothing, and there is no dry run to compare).
            await production.drain_mirror()
    for pipeline in (production, shadow):
        assert pipeline.traces is not None
        await pipeline.traces.drain()

    # Production wrote exactly one refund; the shadow's "yes" wrote nothing.
    (refund,) = await production.deps.platform.list_order_refunds(who, pick.order.order_id)
    said = " ".join(d.get("text", "") for events in replies for t, d in events if t == "token")
    assert refund.refund_id in said

    redis = Redis.from_url(redis_url)
    try:
        prod_traces = await TraceStore(redis).for_session(who.client_id, session_id)
        shadow_traces = await TraceStore(redis, key_prefix="osa-shadow").for_session(
            who.client_id, session_id
        )
        # The shadow's session lives in its own key space, never in production's.
        assert await redis.exists(f"osa-shadow:{who.client_id}:session:{session_id}")
        shadow_keys = [k async for k in redis.scan_iter(match=f"osa-shadow:{who.client_id}:*")]
        dump = b""
        for key in shadow_keys:
            if await redis.type(key) == b"string":
                dump += await redis.get(key) or b""
            elif await redis.type(key) == b"stream":
                dump += b" ".join(v for _, f in await redis.xrange(key) for v in f.values())
    finally:
        await redis.aclose()
    assert EMAIL.encode() not in dump, "the shadow only ever gets scrubbed text"

    assert [t.variant for t in shadow_traces] == ["shadow"] * 3
    assert [t.message for t in shadow_traces] == [t.message for t in prod_traces]
    writes = [c for t in shadow_traces for c in t.tool_calls if c.name == "initiate_refund"]
    assert writes and writes[0].output == {"code": DRY_RUN}
    prod_write = next(c for t in prod_traces for c in t.tool_calls if c.name == "initiate_refund")
    assert writes[0].arguments == prod_write.arguments

    report = compare({session_id: prod_traces}, {session_id: shadow_traces})
    assert report.paired_turns == 3 and report.unpaired_turns == 0
    assert report.routing_agreement == 1.0 and report.intent_agreement == 1.0
    assert report.tool_calls["initiate_refund"] == {"production": 1, "shadow": 1}
    assert report.shadow_dry_run_writes >= 1
    # After the write the two diverge (production verifies and notifies; the shadow cannot).
    assert report.tool_calls.get("get_refund", {}).get("shadow", 0) == 0


async def test_production_never_takes_mirrored_traffic(
    pipelines: tuple[ChatPipeline, ChatPipeline],
) -> None:
    production, _ = pipelines
    with pytest.raises(RuntimeError, match="production does not take mirrored traffic"):
        await production.shadow_turn(Identity("CUS-1", "acme", Role.CUSTOMER), "s" * 32, "hi")


async def test_a_dry_run_write_is_validated_first(platform_server: RunningPlatform) -> None:
    async with PlatformClient(platform_server.base_url, API_KEY) as platform:
        ctx = ToolContext(who=CustomerRef("acme", "CUS-000001"), session_id="s", platform=platform)
        executor = ToolExecutor(dry_run_writes=True)
        bad = await executor.execute(
            ctx, AgentTier.NEGOTIATION, "initiate_refund", {"order_id": "nope", "amount": -1}
        )
        assert isinstance(bad, ToolFailure) and bad.code == "invalid_arguments"
        good = await executor.execute(
            ctx,
            AgentTier.NEGOTIATION,
            "initiate_refund",
            {"order_id": "ORD-1234567", "amount": 10, "reason_code": "WRONG_ITEM"},
        )
        assert isinstance(good, ToolFailure) and good.code == DRY_RUN
        assert good.details["arguments"]["order_id"] == "ORD-1234567"


async def test_the_compare_command_reads_both_variants_from_redis(
    pipelines: tuple[ChatPipeline, ChatPipeline],
    seed: SeedIndex,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    production, shadow = pipelines
    pick = seed.take(ShipmentStatus.IN_TRANSIT, client_id="kestrel")
    identity = Identity(pick.who.customer_id, pick.who.client_id, Role.CUSTOMER)
    session_id = await production.create_session(identity)
    events = await production.start_turn(identity, session_id, f"where is {pick.shipment.awb}?")
    _ = [e async for e in events]
    await production.drain_mirror()
    for pipeline in (production, shadow):
        assert pipeline.traces is not None
        await pipeline.traces.drain()
    monkeypatch.setenv("REDIS_URL", redis_url)

    code = await asyncio.to_thread(compare_main, ["--client", pick.who.client_id, "--json"])

    assert code == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["paired_turns"] >= 1 and summary["routing_agreement"] == 1.0
