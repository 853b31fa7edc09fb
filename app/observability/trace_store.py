"""Turn traces at rest: Redis Streams, with retention by length and by age.

    osa:{client}:traces:{session}   one entry per turn: {"trace": <TurnTrace JSON>}
    osa:{client}:traces             the tenant's index: {"session_id", "trace_id", "intent", ...}

Streams because traces are append-only and read in order, XADD's MAXLEN trims them as they
grow (exactly: the streams are short, and a retention limit should mean what it says), and
any Redis 5+ has them (no modules). Per-session streams also expire with the TTL, so a quiet
session's traces go away on their own. Records are scrubbed before they get here
(app/observability/traces.py); this module never sees personal data in clear text.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import Redis

from app.observability.traces import TurnTrace

# The local server `make run` starts (scripts/run.sh): where the trace CLIs look by default.
LOCAL_REDIS_URL = "redis://127.0.0.1:6390/0"
DEFAULT_TTL_S = 7 * 24 * 3600
DEFAULT_SESSION_MAXLEN = 200
DEFAULT_TENANT_MAXLEN = 10_000


def session_key(client_id: str, session_id: str, prefix: str = "osa") -> str:
    return f"{prefix}:{client_id}:traces:{session_id}"


def tenant_key(client_id: str, prefix: str = "osa") -> str:
    return f"{prefix}:{client_id}:traces"


@dataclass(frozen=True)
class TraceRetention:
    ttl_s: int = DEFAULT_TTL_S
    session_maxlen: int = DEFAULT_SESSION_MAXLEN
    tenant_maxlen: int = DEFAULT_TENANT_MAXLEN

    @classmethod
    def from_env(cls) -> TraceRetention:
        """OSA_TRACE_TTL_S, OSA_TRACE_SESSION_MAXLEN, OSA_TRACE_TENANT_MAXLEN over the defaults."""
        return cls(
            ttl_s=int(os.environ.get("OSA_TRACE_TTL_S", DEFAULT_TTL_S)),
            session_maxlen=int(os.environ.get("OSA_TRACE_SESSION_MAXLEN", DEFAULT_SESSION_MAXLEN)),
            tenant_maxlen=int(os.environ.get("OSA_TRACE_TENANT_MAXLEN", DEFAULT_TENANT_MAXLEN)),
        )


class TraceStore:
    def __init__(
        self, redis: Redis, retention: TraceRetention | None = None, *, key_prefix: str = "osa"
    ) -> None:
        self.redis = redis
        self.retention = retention or TraceRetention()
        # `osa` for production, `osa-shadow` for a shadow deployment's traces.
        self.key_prefix = key_prefix

    async def append(self, trace: TurnTrace) -> str:
        """Store one (already scrubbed) trace; returns its stream entry id."""
        (entry_id,) = await self.append_many([trace])
        return entry_id

    async def append_many(self, traces: Sequence[TurnTrace]) -> list[str]:
        """Store (already scrubbed) traces in one transaction; their stream entry ids."""
        if not traces:
            return []
        async with self.redis.pipeline(transaction=True) as pipe:
            for trace in traces:
                key = session_key(trace.client_id, trace.session_id, self.key_prefix)
                pipe.xadd(
                    key,
                    {"trace": trace.model_dump_json()},
                    maxlen=self.retention.session_maxlen,
                    approximate=False,
                )
                pipe.expire(key, self.retention.ttl_s)
                pipe.xadd(
                    tenant_key(trace.client_id, self.key_prefix),
                    {
                        "session_id": trace.session_id,
                        "trace_id": trace.trace_id,
                        "intent": trace.intent or "",
                        "outcome": trace.outcome,
                        "total_ms": str(trace.latency_ms.get("total", "")),
                    },
                    maxlen=self.retention.tenant_maxlen,
                    approximate=False,
                )
            replies = await pipe.execute()
        # Three replies a trace: its session entry's id, EXPIRE's, the tenant entry's id.
        return [_text(entry_id) for entry_id in replies[::3]]

    async def for_session(
        self, client_id: str, session_id: str, limit: int = 100
    ) -> list[TurnTrace]:
        """A session's traces in turn order (only within the client: the key carries it)."""
        entries = await self.redis.xrevrange(
            session_key(client_id, session_id, self.key_prefix), count=limit
        )
        traces = []
        for _entry_id, fields in reversed(entries):
            raw = fields.get(b"trace") or fields.get("trace")
            if raw is not None:
                traces.append(TurnTrace.model_validate_json(raw))
        # Records are appended as their scrubbing finishes, which need not be turn order.
        return sorted(traces, key=lambda t: t.at)

    async def recent_sessions(self, client_id: str, limit: int = 50) -> list[dict[str, str]]:
        """The tenant's most recent turns, newest first (session, trace, intent, outcome)."""
        entries = await self.redis.xrevrange(tenant_key(client_id, self.key_prefix), count=limit)
        rows = []
        for entry_id, fields in entries:
            row = {
                (k.decode() if isinstance(k, bytes) else k): (
                    v.decode() if isinstance(v, bytes) else v
                )
                for k, v in fields.items()
            }
            row["entry_id"] = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
            rows.append(row)
        return rows


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
