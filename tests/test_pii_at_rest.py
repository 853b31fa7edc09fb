"""PII at rest, end to end: the real chat ASGI app on the real platform and real Redis, messages
with distinctive fake PII (evals/pii_at_rest.py), then every Redis key, the session's traces, the
session export and everything logged are searched for it. A failure names the place and the type,
with the value masked."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from app.agents.pipeline import ChatPipeline
from app.api.auth import TokenService
from app.platform.contract import ShipmentStatus
from evals.pii_at_rest import (
    PROBES,
    mask,
    needles,
    planted_values,
    report,
    scan_bytes,
    scan_export,
    scan_files,
    scan_redis,
    scan_traces,
)
from tests.fixtures import SeedIndex

pytestmark = pytest.mark.slow


@contextmanager
def log_file(tmp_path: Path) -> Iterator[Path]:
    """Everything any logger says during the test, at DEBUG, in one file. pytest's own capture
    is detached meanwhile: on a failure it would print a leaked value in clear."""
    path = tmp_path / "logs" / "service.log"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    previous = root.level
    pytest_handlers = [h for h in root.handlers if type(h).__module__.startswith("_pytest")]
    for captured in pytest_handlers:
        root.removeHandler(captured)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        for captured in pytest_handlers:
            root.addHandler(captured)
        root.setLevel(previous)
        handler.close()


async def test_no_planted_pii_is_kept_anywhere(
    api: httpx.AsyncClient,
    tokens: TokenService,
    seed: SeedIndex,
    redis_url: str,
    pipeline: ChatPipeline,
    tmp_path: Path,
) -> None:
    with log_file(tmp_path) as path:
        await _converse_and_scan(api, tokens, seed, redis_url, pipeline, path)


async def _converse_and_scan(
    api: httpx.AsyncClient,
    tokens: TokenService,
    seed: SeedIndex,
    redis_url: str,
    pipeline: ChatPipeline,
    log_file: Path,
) -> None:
    messages = len(PROBES)
    pick = seed.take(ShipmentStatus.DELIVERED_DISPUTED)
    headers = {"Authorization": f"Bearer {tokens.issue(pick.who.customer_id, pick.who.client_id)}"}
    created = await api.post("/v1/sessions", headers=headers)
    assert created.status_code == 201
    session_id = created.json()["session_id"]
    for probe in PROBES:
        message = probe.message.format(order_id=pick.order.order_id)
        response = await api.post(
            f"/v1/sessions/{session_id}/messages", headers=headers, json={"message": message}
        )
        assert response.status_code == 200, response.status_code
    assert pipeline.traces is not None
    await pipeline.traces.drain()
    export = (await api.get(f"/v1/sessions/{session_id}", headers=headers)).json()

    searched = needles(planted_values())
    keys, leaks = await scan_redis(redis_url, searched)
    traces, trace_leaks = await scan_traces(redis_url, pick.who.client_id, session_id, searched)
    files, file_leaks = scan_files(log_file.parent, searched)
    leaks += trace_leaks + file_leaks + scan_export("the session export", export, searched)

    # The scan saw what it should have: the session, one trace a turn, the log file.
    assert keys > 0 and files == 1
    # (Plain names in the asserts: pytest would print the planted values of an expression.)
    assert traces == messages
    kept_turns = len(export["turns"])
    assert kept_turns > 0
    kept_ids = pick.order.order_id in json.dumps(export)
    assert kept_ids, "the customer's own order id is kept"
    found = report(leaks)
    assert not found, "planted PII found at rest:\n" + found


async def test_the_scan_finds_a_planted_value_and_reports_it_masked(redis_url: str) -> None:
    """The scan can fail: a value planted in each Redis type and in a log line is found, and the
    report never holds it in clear."""
    planted = planted_values()
    searched = needles(planted)
    name = next(p.value for p in planted if p.type == "PERSON")
    card = next(p.value for p in planted if p.type == "CREDIT_CARD")
    redis = Redis.from_url(redis_url)
    keys = [f"osa:scan-selftest:{kind}" for kind in ("string", "hash", "list", "stream")]
    try:
        await redis.set(keys[0], f"note for {name}")
        await redis.hset(keys[1], mapping={"customer": name.upper()})
        await redis.rpush(keys[2], card.replace(" ", ""))
        await redis.xadd(keys[3], {"message": f'{{"text": "{name}"}}'})
        await redis.set(f"osa:scan-selftest:{name}", "1")
        _, leaks = await scan_redis(redis_url, searched)
    finally:
        await redis.delete(*keys, f"osa:scan-selftest:{name}")
        await redis.aclose()
    where = {leak.where for leak in leaks}
    for kind, key in zip(("string", "hash", "list", "stream"), keys, strict=True):
        assert f"redis key {key} ({kind})" in where
    # The key named after the customer is reported with the name masked out.
    assert any(w.startswith("redis key osa:scan-selftest:***") for w in where)
    text = report(leaks)
    assert name not in text and card not in text and card.replace(" ", "") not in text
    assert mask(name) in text
    assert scan_bytes("a log line", f"INFO ok {card}".encode(), searched)
    assert scan_export("an export", {"who": name}, searched)
