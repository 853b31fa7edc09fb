"""One write in flight per order, across sessions and replicas: a lease in Redis.

Keyed by tenant and order. Taken before a refund or return is sent, held while its outcome is
unknown, released once the platform has answered for it (by the turn, or by the resolver that
finishes it). A second conversation asking about the same order meanwhile is told a request
is already being processed, with its reference, and gets no proposal of its own.

The value names the write (its idempotency key): the same write resumed or replayed (a
restart, another replica) holds the lease already; release is compare-and-delete, so an
expired holder never frees a newer one's lease.

The lease is refreshed, never left to a fixed TTL: `kept()` refreshes it while a turn writes
and resolves in-turn, and the resolver refreshes it on every sweep while the outcome is still
unknown (taking it again if it lapsed and nobody else holds it). A lease lapses only when no
replica is left to resolve its write; its TTL is far above the platform's write deadline, past
which the platform's state is final and read as a proposal's facts, so a lapse never lets a
second write through while the first could still commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from pydantic import BaseModel
from redis.asyncio import Redis

log = logging.getLogger("app.sessions.write_leases")

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
# Several resolver sweeps (every 30 s by default) and many write deadlines (10 s) long: a
# lease outlives its holder by this much at most.
DEFAULT_TTL_S = 180


class LeaseHolder(BaseModel):
    idempotency_key: str
    session_id: str
    action: str
    order_id: str
    since: float

    @property
    def reference(self) -> str:
        """What the customer can quote: the write's key, shortened."""
        return self.idempotency_key.removeprefix("osa-")[:12].upper()


class OrderWriteLeases:
    def __init__(self, redis: Redis, *, prefix: str = "osa", ttl_s: float = DEFAULT_TTL_S) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl_ms = max(1, int(ttl_s * 1000))

    @property
    def ttl_s(self) -> float:
        return self._ttl_ms / 1000

    async def aclose(self) -> None:
        await self._redis.aclose()

    def _key(self, client_id: str, order_id: str) -> str:
        return f"{self._prefix}:write-lease:{client_id}:{order_id}"

    async def holder(self, client_id: str, order_id: str) -> LeaseHolder | None:
        raw = await self._redis.get(self._key(client_id, order_id))
        return None if raw is None else LeaseHolder.model_validate_json(raw)

    async def take(
        self, client_id: str, order_id: str, *, idempotency_key: str, session_id: str, action: str
    ) -> LeaseHolder | None:
        """None when the lease is now this write's; else the other write holding it."""
        key = self._key(client_id, order_id)
        mine = LeaseHolder(
            idempotency_key=idempotency_key,
            session_id=session_id,
            action=action,
            order_id=order_id,
            since=time.time(),
        )
        if await self._redis.set(key, mine.model_dump_json(), nx=True, px=self._ttl_ms):
            return None
        current = await self.holder(client_id, order_id)
        if current is None:  # released in between: try once more
            taken = await self._redis.set(key, mine.model_dump_json(), nx=True, px=self._ttl_ms)
            return None if taken else await self.holder(client_id, order_id)
        if current.idempotency_key == idempotency_key:
            return None  # the same write, resumed or replayed
        return current

    async def refresh(
        self, client_id: str, order_id: str, *, idempotency_key: str, session_id: str, action: str
    ) -> LeaseHolder | None:
        """Keep this write's lease for another TTL, or take it again if it lapsed. None when it
        is (still, or again) this write's; else the other write that took it meanwhile."""
        key = self._key(client_id, order_id)
        raw = await self._redis.get(key)
        if raw is not None and LeaseHolder.model_validate_json(raw).idempotency_key == (
            idempotency_key
        ):
            if await self._redis.eval(_EXTEND, 1, key, raw, self._ttl_ms):
                return None
        return await self.take(
            client_id,
            order_id,
            idempotency_key=idempotency_key,
            session_id=session_id,
            action=action,
        )

    @contextlib.asynccontextmanager
    async def kept(
        self, client_id: str, order_id: str, *, idempotency_key: str, session_id: str, action: str
    ) -> AsyncIterator[None]:
        """Refresh the lease every third of its TTL while the block runs (a write and its
        in-turn resolution may take longer than one TTL). Not released at the end: the caller
        releases once the platform has answered."""

        async def keep() -> None:
            while True:
                await asyncio.sleep(self.ttl_s / 3)
                try:
                    other = await self.refresh(
                        client_id,
                        order_id,
                        idempotency_key=idempotency_key,
                        session_id=session_id,
                        action=action,
                    )
                except Exception:  # Redis unreachable for a moment: try again next time
                    log.warning("refreshing the write lease on %s failed", order_id)
                    continue
                if other is not None:
                    log.warning(
                        "write lease on %s lapsed and was taken by %s",
                        order_id,
                        other.idempotency_key,
                    )

        keeper = asyncio.get_running_loop().create_task(keep())
        try:
            yield
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper

    async def release(self, client_id: str, order_id: str, idempotency_key: str) -> bool:
        key = self._key(client_id, order_id)
        raw = await self._redis.get(key)
        if raw is None:
            return False
        if LeaseHolder.model_validate_json(raw).idempotency_key != idempotency_key:
            return False
        return bool(await self._redis.eval(_RELEASE, 1, key, raw))
