"""One write in flight per order, across sessions and replicas: a lease in Redis.

Keyed by tenant and order. Taken before a refund or return is sent, held while its outcome is
unknown, released once the platform has answered for it (by the turn, or by the resolver that
finishes it). A second conversation asking about the same order meanwhile is told a request
is already being processed, with its reference, and gets no proposal of its own.

The value names the write (its idempotency key): the same write resumed or replayed (a
restart, another replica) holds the lease already; release is compare-and-delete, so an
expired holder never frees a newer one's lease.
"""

from __future__ import annotations

import time

from pydantic import BaseModel
from redis.asyncio import Redis

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
# Long enough for the resolver to reach a final answer; a lease never outlives a day.
DEFAULT_TTL_S = 3600


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
    def __init__(self, redis: Redis, *, prefix: str = "osa", ttl_s: int = DEFAULT_TTL_S) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl_s = ttl_s

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
        if await self._redis.set(key, mine.model_dump_json(), nx=True, ex=self._ttl_s):
            return None
        current = await self.holder(client_id, order_id)
        if current is None:  # released in between: try once more
            taken = await self._redis.set(key, mine.model_dump_json(), nx=True, ex=self._ttl_s)
            return None if taken else await self.holder(client_id, order_id)
        if current.idempotency_key == idempotency_key:
            return None  # the same write, resumed or replayed
        return current

    async def release(self, client_id: str, order_id: str, idempotency_key: str) -> bool:
        key = self._key(client_id, order_id)
        raw = await self._redis.get(key)
        if raw is None:
            return False
        if LeaseHolder.model_validate_json(raw).idempotency_key != idempotency_key:
            return False
        return bool(await self._redis.eval(_RELEASE, 1, key, raw))
