"""The customer's own ids stay in the stored trace as they stayed in the screened message: the
trace recorder re-scrubs every free-text leaf, and without the turn's protected ids a bare AWB
("7730012345") reads as a phone number there, so the console would show a placeholder instead
of the customer's own parcel number."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest
from redis.asyncio import Redis

from app.agents.pipeline import ChatPipeline
from app.api.auth import TokenService
from app.guardrails import Guardrail
from app.observability.trace_recorder import TraceRecorder
from app.observability.trace_store import TraceStore
from app.observability.traces import (
    Scrub,
    ScrubMany,
    TraceBuilder,
    TurnTrace,
    scrub_trace,
    scrub_traces,
)
from app.platform.client import CustomerRef
from app.platform.contract import ShipmentStatus
from tests.fixtures import Pick, SeedIndex

AWB = "AWB-7730012345"
# A phone number in the range reserved for drama (Ofcom), built rather than written whole.
PHONE = "+44 7700 " + "900" + "481"


@pytest.fixture(scope="module")
def guard() -> Guardrail:
    return Guardrail()


def a_trace(message: str) -> TurnTrace:
    return TraceBuilder(
        client_id="acme",
        session_id=f"s{uuid.uuid4().hex[:12]}",
        customer_id="CUS-000001",
        message=message,
        started=time.perf_counter(),
    ).finish(response="", ttft_ms=None, outcome="completed")


def scrubbers(guard: Guardrail, calls: list[list[list[str]] | None]) -> tuple[Scrub, ScrubMany]:
    """The guardrail's own scrubbing, with each batch's protected lists noted in `calls`."""

    async def scrub(text: str, protected: list[str] | None = None) -> str:
        return await asyncio.to_thread(guard.scrub, text, protected or ())

    async def scrub_many(texts: list[str], protected: list[list[str]] | None = None) -> list[str]:
        calls.append(protected)
        return await asyncio.to_thread(guard.scrub_many, texts, protected)

    return scrub, scrub_many


@pytest.mark.parametrize("written", ["7730012345", "773 001 2345"])
@pytest.mark.parametrize("batched", [True, False])
async def test_a_bare_awb_is_kept_only_with_the_turns_protected_ids(
    guard: Guardrail, written: str, batched: bool
) -> None:
    calls: list[list[list[str]] | None] = []
    scrub, scrub_many = scrubbers(guard, calls)
    many = scrub_many if batched else None
    trace = a_trace(f"parcel {written} never came, ring me on {PHONE}")

    unprotected = await scrub_trace(trace, scrub, many)
    assert written not in unprotected.message  # the failure this guards against
    kept = await scrub_trace(trace, scrub, many, [AWB])
    assert written in kept.message, kept.message
    assert PHONE not in kept.message and "<PHONE_NUMBER>" in kept.message
    if batched:
        # The old call shape when nothing is protected; one list per text when something is.
        assert calls[0] is None and calls[1] == [[AWB]]


async def test_a_text_shared_by_traces_keeps_the_union_of_their_ids(guard: Guardrail) -> None:
    calls: list[list[list[str]] | None] = []
    scrub, scrub_many = scrubbers(guard, calls)
    shared = "parcel 7730012345 or 7730099999, which?"
    own = a_trace(shared)
    other = a_trace(shared)
    alone = a_trace("parcel 7730099999 is late")

    clean = await scrub_traces(
        [own, other, alone], scrub, scrub_many, [[AWB], ["AWB-7730099999"], []]
    )
    # Scrubbed once for both traces, keeping both customers' ids; the third keeps none.
    assert clean[0].message == clean[1].message == shared
    assert "7730099999" not in clean[2].message
    (sent,) = calls
    assert sent is not None and sorted(sent[0]) == ["AWB-7730012345", "AWB-7730099999"]
    with pytest.raises(ValueError):
        await scrub_traces([own, other], scrub, scrub_many, [[AWB]])


async def test_the_recorder_scrubs_each_queued_trace_with_its_own_ids(
    guard: Guardrail, redis: Redis
) -> None:
    scrub, scrub_many = scrubbers(guard, [])
    store = TraceStore(redis)
    recorder = TraceRecorder(store, scrub, scrub_many, batch_wait_s=0.05)
    mine, theirs = a_trace("where is 7730012345?"), a_trace("where is 7730012345 now?")
    recorder.record_later(mine, [AWB])
    recorder.record_later(theirs)  # the same batch, another customer's turn: nothing kept
    await recorder.drain()
    assert recorder.failures == 0
    (stored_mine,) = await store.for_session(mine.client_id, mine.session_id)
    (stored_theirs,) = await store.for_session(theirs.client_id, theirs.session_id)
    assert "7730012345" in stored_mine.message
    assert "7730012345" not in stored_theirs.message


def read_only_pick(seed: SeedIndex) -> Pick:
    """An in-transit single-shipment order, looked up without `take` (this test only reads,
    and the pool of such orders is small)."""
    for order in seed.dataset.orders:
        shipment = order.shipments[0] if len(order.shipments) == 1 else None
        if shipment is not None and shipment.status is ShipmentStatus.IN_TRANSIT:
            customer = seed.customers[order.customer_id]
            return Pick(CustomerRef(order.client_id, order.customer_id), customer, order, shipment)
    raise LookupError("no in-transit order")


@pytest.mark.slow
async def test_the_customers_own_awb_written_bare_survives_in_the_stored_trace(
    api: httpx.AsyncClient,
    tokens: TokenService,
    seed: SeedIndex,
    pipeline: ChatPipeline,
    guard: Guardrail,
) -> None:
    pick = read_only_pick(seed)
    digits = pick.shipment.awb.removeprefix("AWB-")
    message = f"hi, my parcel {digits} hasn't moved in days, you can call me on {PHONE}"
    # Without the customer's ids, these digits are scrubbed as a phone number.
    assert digits not in guard.scrub(message)

    headers = {"Authorization": f"Bearer {tokens.issue(pick.who.customer_id, pick.who.client_id)}"}
    created = await api.post("/v1/sessions", headers=headers)
    assert created.status_code == 201
    session_id = created.json()["session_id"]
    response = await api.post(
        f"/v1/sessions/{session_id}/messages", headers=headers, json={"message": message}
    )
    assert response.status_code == 200, response.status_code
    assert pipeline.traces is not None
    await pipeline.traces.drain()

    (trace,) = await pipeline.traces.store.for_session(pick.who.client_id, session_id)
    assert digits in trace.message, trace.message
    assert PHONE not in trace.message and "<PHONE_NUMBER>" in trace.message
    assert PHONE not in trace.model_dump_json()
