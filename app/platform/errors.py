"""Typed errors raised by the platform's business rules; the service turns them into 4xx/5xx
bodies with a machine-readable code, and the client turns those bodies back into them."""

from __future__ import annotations

from typing import Any

from app.platform.contract import ErrorCode


class PlatformError(Exception):
    """A rule violation or failure with an HTTP status and a stable error code."""

    def __init__(
        self,
        status: int,
        code: ErrorCode | str,
        message: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = str(code)
        self.message = message
        self.details = details or {}

    @property
    def transient(self) -> bool:
        """5xx and timeouts: the call may succeed later (for a write, its outcome is unknown)."""
        return self.status >= 500


def not_found(code: ErrorCode, what: str) -> PlatformError:
    # One message for "absent" and "not yours": a guessed id learns nothing.
    return PlatformError(404, code, f"{what} not found")


def rule_violation(code: ErrorCode, message: str, **details: Any) -> PlatformError:
    return PlatformError(422, code, message, details)
