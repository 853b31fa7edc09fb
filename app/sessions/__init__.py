"""Sessions (Redis), context hydration and prompt assembly: the front door's memory.

Everything here takes scrubbed text only; the guardrail runs first.
"""

from app.sessions.errors import SessionBusy, SessionConflict, SessionError, UnknownSession
from app.sessions.hydration import (
    HydratedContext,
    HydrationFailure,
    HydrationResult,
    Hydrator,
)
from app.sessions.lock import SessionLock
from app.sessions.models import (
    Role,
    RunningSummary,
    SessionSettings,
    SessionState,
    ToolCallRecord,
    Turn,
)
from app.sessions.prompt import AssembledPrompt, PromptAssembler
from app.sessions.store import SessionStore, compact_history
from app.sessions.summary import describe_call, fold, render_summary

__all__ = [
    "AssembledPrompt",
    "HydratedContext",
    "HydrationFailure",
    "HydrationResult",
    "Hydrator",
    "PromptAssembler",
    "Role",
    "RunningSummary",
    "SessionBusy",
    "SessionConflict",
    "SessionError",
    "SessionLock",
    "SessionSettings",
    "SessionState",
    "SessionStore",
    "ToolCallRecord",
    "Turn",
    "UnknownSession",
    "compact_history",
    "describe_call",
    "fold",
    "render_summary",
]
