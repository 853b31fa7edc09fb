"""A support agent takes a conversation over, talks to the customer as a human, hands it back.

While the per-session flag (`SessionStore.human_key`) is set, the pipeline stores the customer's
scrubbed message and runs no agent. The agent's messages are appended to the session as
`agent_human` turns (scrubbed, like every stored text) and published, as typed, on the
session's Redis pub/sub channel, which the customer's page follows through
`GET /v1/sessions/{id}/events`. Pub/sub reaches every ingress replica, so the customer's stream
and the agent's request need not meet in one process.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis

from app.sessions.models import Role, Turn
from app.sessions.store import SessionStore

KEEPALIVE_S = 15.0


class Takeover:
    def __init__(self, store: SessionStore, redis: Redis) -> None:
        self.store = store
        self._redis = redis

    def channel(self, client_id: str, session_id: str) -> str:
        return f"{self.store.key(client_id, session_id)}:live"

    async def holder(self, client_id: str, session_id: str) -> str | None:
        raw = await self._redis.get(self.store.human_key(client_id, session_id))
        return raw.decode() if isinstance(raw, bytes) else raw

    async def take(self, client_id: str, customer_id: str, session_id: str, agent: str) -> None:
        """Raises UnknownSession when the session is gone (expired, or never existed)."""
        state = await self.store.load(client_id, customer_id, session_id)
        if state.pending_confirmation is not None:
            # The human is in charge now: a proposal on screen can no longer be confirmed by a
            # later "yes" (the negotiation graph resumes only on the session's pending one).
            await self.store.set_pending_confirmation(client_id, customer_id, session_id, None)
        await self._redis.set(
            self.store.human_key(client_id, session_id), agent, ex=self.store.settings.ttl_s
        )
        await self.publish(client_id, session_id, "takeover", {})

    async def hand_back(self, client_id: str, session_id: str) -> bool:
        removed = await self._redis.delete(self.store.human_key(client_id, session_id))
        if removed:
            await self.publish(client_id, session_id, "handback", {})
        return bool(removed)

    async def say(
        self,
        client_id: str,
        customer_id: str,
        session_id: str,
        *,
        stored_text: str,
        live_text: str,
    ) -> Turn:
        """Append the agent's message (scrubbed) and push it (as typed) to the customer."""
        turn = Turn(role=Role.AGENT_HUMAN, text=stored_text)
        await self.store.append_turn(client_id, customer_id, session_id, turn)
        await self.publish(
            client_id, session_id, "agent_message", {"text": live_text, "at": turn.at.isoformat()}
        )
        # The flag lives as long as the conversation does.
        await self._redis.expire(
            self.store.human_key(client_id, session_id), self.store.settings.ttl_s
        )
        return turn

    async def publish(
        self, client_id: str, session_id: str, kind: str, data: dict[str, Any]
    ) -> None:
        payload = json.dumps({"type": kind, **data}, separators=(",", ":"), ensure_ascii=False)
        await self._redis.publish(self.channel(client_id, session_id), payload)

    async def follow(self, client_id: str, session_id: str) -> AsyncIterator[dict[str, Any] | None]:
        """The session's live events; None every KEEPALIVE_S when nothing happened."""
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self.channel(client_id, session_id))
        try:
            while True:
                message = await pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=KEEPALIVE_S
                )
                if message is None:
                    yield None
                    continue
                yield json.loads(message["data"])
        finally:
            await pubsub.unsubscribe()
            await pubsub.aclose()
