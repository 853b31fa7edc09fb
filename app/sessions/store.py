"""Redis session store: one JSON document per session, tenant-scoped keys, optimistic writes.

Key: `osa:{client_id}:session:{session_id}`. A session belongs to one user of one client; any
other caller gets `UnknownSession`, exactly as for a missing or expired one (no oracle).

Writes read, change and replace the whole document inside WATCH/MULTI: a concurrent writer
makes the transaction fail and it is retried on the new state, so concurrent appends all land,
and a write that fails (invalid turn, an error while folding) changes nothing. Every write and
every owner's read refreshes the TTL.

Text handed to this store must already be scrubbed by the guardrail; it stores what it is given.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, Final, Literal

from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import WatchError

from app.platform.contract import CLIENT_ID_PATTERN
from app.sessions.errors import SessionConflict, UnknownSession
from app.sessions.lock import SessionLock
from app.sessions.models import (
    SESSION_ID_PATTERN,
    RunningSummary,
    SessionSettings,
    SessionState,
    Turn,
    utcnow,
)
from app.sessions.summary import fold

log = logging.getLogger("app.sessions")

_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)
_SESSION_ID = re.compile(SESSION_ID_PATTERN)
_MAX_USER_ID = 128


class _Keep(Enum):
    PENDING = "keep"


# `record_turns(pending=KEEP_PENDING)`: leave the proposal awaiting confirmation as it is.
KEEP_PENDING: Final = _Keep.PENDING
PendingChange = Mapping[str, Any] | Literal[_Keep.PENDING] | None


def compact_history(
    turns: Sequence[Turn], summary: RunningSummary | None, settings: SessionSettings
) -> tuple[list[Turn], RunningSummary | None]:
    """Fold the oldest turns into the summary until the full turns fit the budget."""
    keep = list(turns)

    def chars() -> int:
        return sum(len(t.text) for t in keep)

    over_count = len(keep) > settings.max_turns
    if not over_count and (len(keep) <= 1 or chars() <= settings.max_chars):
        return keep, summary
    folded: list[Turn] = []
    if over_count:
        target = min(settings.fold_to_turns or settings.max_turns, settings.max_turns)
        folded, keep = keep[: len(keep) - target], keep[len(keep) - target :]
    # The newest turn always stays in full, even alone over the character budget.
    while len(keep) > 1 and chars() > settings.max_chars:
        folded.append(keep.pop(0))
    return keep, fold(summary, folded)


class SessionStore:
    def __init__(
        self,
        redis: Redis,
        settings: SessionSettings | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._redis = redis
        self.settings = settings or SessionSettings()
        self._clock = clock

    @property
    def redis(self) -> Redis:
        return self._redis

    # ------------------------------------------------------------ keys

    def key(self, client_id: str, session_id: str) -> str:
        return f"{self.settings.key_prefix}:{client_id}:session:{session_id}"

    def lock_key(self, client_id: str, session_id: str) -> str:
        return f"{self.key(client_id, session_id)}:lock"

    def human_key(self, client_id: str, session_id: str) -> str:
        """Set while a support agent holds the conversation (app/sessions/takeover.py)."""
        return f"{self.key(client_id, session_id)}:human"

    async def held_by_human(self, client_id: str, session_id: str) -> bool:
        return bool(await self._redis.exists(self.human_key(client_id, session_id)))

    @property
    def _ttl_ms(self) -> int:
        return self.settings.ttl_s * 1000

    # ------------------------------------------------------------ reads and writes

    async def create(self, client_id: str, user_id: str) -> str:
        """A new empty session for this user; returns its random, URL-safe id."""
        _check_identity(client_id, user_id)
        now = self._clock()
        while True:
            session_id = secrets.token_urlsafe(24)
            state = _empty_state(client_id, user_id, session_id, now)
            created = await self._redis.set(
                self.key(client_id, session_id), state.model_dump_json(), px=self._ttl_ms, nx=True
            )
            if created:  # NX failing means a 192-bit id collided: draw another
                return session_id

    async def ensure(self, client_id: str, user_id: str, session_id: str) -> SessionState:
        """The session with this id, created empty if it does not exist (a shadow deployment
        follows production's session ids in its own key space). Ownership is still checked."""
        key = self._checked_key(client_id, user_id, session_id)
        state = _empty_state(client_id, user_id, session_id, self._clock())
        await self._redis.set(key, state.model_dump_json(), px=self._ttl_ms, nx=True)
        return await self.load(client_id, user_id, session_id)

    async def load(self, client_id: str, user_id: str, session_id: str) -> SessionState:
        """The session, its TTL refreshed. Raises UnknownSession."""
        key = self._checked_key(client_id, user_id, session_id)
        state = self._owned(await self._redis.get(key), client_id, user_id, session_id)
        await self._redis.pexpire(key, self._ttl_ms)
        return state

    async def append_turn(
        self,
        client_id: str,
        user_id: str,
        session_id: str,
        turn: Turn | Mapping[str, Any],
    ) -> SessionState:
        """Append one (scrubbed) turn, folding old turns into the summary when over budget."""
        return await self.record_turns(client_id, user_id, session_id, [turn])

    async def record_turns(
        self,
        client_id: str,
        user_id: str,
        session_id: str,
        turns: Sequence[Turn | Mapping[str, Any]],
        *,
        pending: PendingChange = KEEP_PENDING,
    ) -> SessionState:
        """A turn's records in one write: each turn appended (folded exactly as `append_turn`
        one by one would fold it) and, unless `pending` is KEEP_PENDING, the proposal awaiting
        confirmation set (or cleared, with None). One transaction instead of one per change:
        they all land or none does."""
        # Validate before touching Redis: an invalid record never reaches the transaction.
        records = [turn if isinstance(turn, Turn) else Turn.model_validate(turn) for turn in turns]

        def change(state: SessionState) -> SessionState:
            for record in records:
                kept, summary = compact_history(
                    [*state.turns, record], state.summary, self.settings
                )
                state = state.model_copy(
                    update={"turns": kept, "summary": summary, "turn_count": state.turn_count + 1}
                )
            if pending is not KEEP_PENDING:
                value = None if pending is None else dict(pending)
                state = state.model_copy(update={"pending_confirmation": value})
            return state

        return await self._update(client_id, user_id, session_id, change)

    async def set_pending_confirmation(
        self,
        client_id: str,
        user_id: str,
        session_id: str,
        proposal: Mapping[str, Any] | None,
    ) -> SessionState:
        """Store (or clear, with None) the proposal awaiting the customer's confirmation."""
        return await self.record_turns(client_id, user_id, session_id, [], pending=proposal)

    async def delete(self, client_id: str, user_id: str, session_id: str) -> None:
        key = self._checked_key(client_id, user_id, session_id)
        self._owned(await self._redis.get(key), client_id, user_id, session_id)
        await self._redis.delete(key, self.lock_key(client_id, session_id))

    def lock(
        self,
        client_id: str,
        session_id: str,
        timeout_s: float | None = None,
        *,
        wait_s: float = 0.0,
    ) -> SessionLock:
        """`async with store.lock(...)`: one request per session at a time (raises SessionBusy)."""
        _check_client(client_id)
        if not _SESSION_ID.fullmatch(session_id):
            raise UnknownSession("unknown session")
        return SessionLock(
            self._redis,
            self.lock_key(client_id, session_id),
            timeout_s=timeout_s if timeout_s is not None else self.settings.lock_timeout_s,
            wait_s=wait_s,
        )

    # ------------------------------------------------------------ internals

    def _checked_key(self, client_id: str, user_id: str, session_id: str) -> str:
        _check_identity(client_id, user_id)
        if not _SESSION_ID.fullmatch(session_id):
            raise UnknownSession("unknown session")
        return self.key(client_id, session_id)

    def _owned(
        self, raw: bytes | str | None, client_id: str, user_id: str, session_id: str
    ) -> SessionState:
        if raw is None:
            raise UnknownSession("unknown session")
        try:
            state = SessionState.model_validate_json(raw)
        except ValidationError:
            log.error("session document %s of %s does not validate", session_id, client_id)
            raise UnknownSession("unknown session") from None
        if (state.client_id, state.user_id, state.session_id) != (client_id, user_id, session_id):
            raise UnknownSession("unknown session")
        return state

    async def _update(
        self,
        client_id: str,
        user_id: str,
        session_id: str,
        change: Callable[[SessionState], SessionState],
    ) -> SessionState:
        key = self._checked_key(client_id, user_id, session_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            for attempt in range(self.settings.write_attempts):
                try:
                    await pipe.watch(key)
                    state = self._owned(await pipe.get(key), client_id, user_id, session_id)
                    changed = change(state)
                    # Re-validate the whole document: nothing invalid is ever written.
                    new = SessionState.model_validate(
                        {
                            **changed.model_dump(),
                            "version": state.version + 1,
                            "updated_at": self._clock(),
                        }
                    )
                    payload = new.model_dump_json()
                    pipe.multi()
                    pipe.set(key, payload, px=self._ttl_ms)
                    await pipe.execute()
                    return new
                except WatchError:
                    # Someone wrote in between: back off a little (jittered) and redo the change.
                    await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
        raise SessionConflict(f"session write lost {self.settings.write_attempts} races")


def _check_client(client_id: str) -> None:
    if not _CLIENT_ID.fullmatch(client_id):
        raise ValueError("malformed client id")


def _empty_state(client_id: str, user_id: str, session_id: str, now: datetime) -> SessionState:
    return SessionState(
        session_id=session_id, client_id=client_id, user_id=user_id, created_at=now, updated_at=now
    )


def _check_identity(client_id: str, user_id: str) -> None:
    # Both come from the verified token; malformed values are a bug upstream, not a miss.
    _check_client(client_id)
    if not user_id or len(user_id) > _MAX_USER_ID:
        raise ValueError("malformed user id")
