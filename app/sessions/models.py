"""What a session holds: turns, the running summary, a pending confirmation.

Every text field here is already scrubbed. The guardrail runs before the session store is
called; the store never sees, and must never be handed, raw customer text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    # A human support agent who took over the conversation.
    AGENT_HUMAN = "agent_human"
    # Front-door events worth remembering (e.g. "escalated, ticket TCK-…").
    SYSTEM = "system"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ToolCallRecord(_Record):
    """One tool call of a turn, as the decision trace needs it (never the raw payload)."""

    tool: str = Field(min_length=1, max_length=64)
    arguments: dict[str, Any] = Field(default_factory=dict)
    ok: bool
    # Short result line rendered from the tool's output, e.g. "REF-1000007 approved".
    summary: str = Field(default="", max_length=500)


class Turn(_Record):
    role: Role
    # Scrubbed text only (see the module docstring).
    text: str = Field(max_length=8000)
    intent: str | None = Field(default=None, max_length=64)
    route: str | None = Field(default=None, max_length=64)
    tool_calls: list[ToolCallRecord] = Field(default_factory=list, max_length=20)
    decisions: list[str] = Field(default_factory=list, max_length=20)
    at: AwareDatetime = Field(default_factory=utcnow)


class RunningSummary(_Record):
    """Older turns folded into their decision trace (see app.sessions.summary)."""

    turns_folded: int = 0
    intents: list[str] = Field(default_factory=list)
    orders_mentioned: list[str] = Field(default_factory=list)
    # Order ids a successful tool call ran on: the platform accepted them as this customer's.
    orders_confirmed: list[str] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)
    escalations: list[str] = Field(default_factory=list)
    decisions: list[str] = Field(default_factory=list)
    # Other identifiers seen (AWB-, REF-, RET-, TCK-, SKU-), in order of first appearance.
    references: list[str] = Field(default_factory=list)
    # Entries dropped from the capped lists above, oldest first, so the count stays honest.
    omitted: int = 0


class SessionState(_Record):
    session_id: str = Field(pattern=SESSION_ID_PATTERN)
    client_id: str
    user_id: str
    created_at: AwareDatetime
    updated_at: AwareDatetime
    # Every turn ever appended (full turns plus those folded into the summary).
    turn_count: int = 0
    # Bumped on every write; lets callers notice that someone else wrote in between.
    version: int = 0
    turns: list[Turn] = Field(default_factory=list)
    summary: RunningSummary | None = None
    # A structured proposal awaiting the customer's yes/no (the negotiation agent owns its shape).
    pending_confirmation: dict[str, Any] | None = None


class SessionSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    key_prefix: str = "osa"
    ttl_s: int = Field(default=1800, ge=1)
    # Full turns kept; older ones are folded into the running summary.
    max_turns: int = Field(default=10, ge=1)
    # Character budget of the full turns' text; the newest turn is always kept in full.
    max_chars: int = Field(default=16_000, ge=1)
    # When folding, fold down to this many turns (default: max_turns, i.e. slide one by one).
    # Lower values fold in batches, so the history prefix stays stable for longer (prefix cache).
    fold_to_turns: int | None = Field(default=None, ge=1)
    lock_timeout_s: float = Field(default=30.0, gt=0)
    # Optimistic-transaction retries of one write under contention.
    write_attempts: int = Field(default=50, ge=1)
