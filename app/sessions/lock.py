"""Per-session lock for the ingress: one request per session at a time.

SET NX PX with a random token; release and extend are compare-and-act Lua scripts, so a holder
whose lock already expired (and was taken by the next request) can never release or extend the
new holder's lock.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from types import TracebackType

from redis.asyncio import Redis

from app.sessions.errors import SessionBusy

log = logging.getLogger("app.sessions")

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
_POLL_S = 0.02


class SessionLock:
    def __init__(self, redis: Redis, key: str, *, timeout_s: float, wait_s: float = 0.0) -> None:
        if timeout_s <= 0:
            raise ValueError("lock timeout must be positive")
        self._redis = redis
        self.key = key
        self._timeout_ms = max(1, int(timeout_s * 1000))
        self._wait_s = wait_s
        self._token: str | None = None
        # False after exit when the lock had expired before release (the work overran it).
        self.released_cleanly: bool | None = None

    async def acquire(self) -> None:
        token = secrets.token_hex(16)
        deadline = time.monotonic() + self._wait_s
        while not await self._redis.set(self.key, token, nx=True, px=self._timeout_ms):
            if time.monotonic() >= deadline:
                raise SessionBusy("session is busy with another request")
            await asyncio.sleep(_POLL_S)
        self._token = token

    async def release(self) -> bool:
        if self._token is None:
            return False
        token, self._token = self._token, None
        released = bool(await self._redis.eval(_RELEASE, 1, self.key, token))
        if not released:
            log.warning("session lock %s expired before release", self.key)
        self.released_cleanly = released
        return released

    async def extend(self, timeout_s: float) -> bool:
        """Push the expiry to `timeout_s` from now; False when the lock is no longer ours."""
        if self._token is None:
            return False
        ms = max(1, int(timeout_s * 1000))
        return bool(await self._redis.eval(_EXTEND, 1, self.key, self._token, ms))

    async def __aenter__(self) -> SessionLock:
        await self.acquire()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.release()
