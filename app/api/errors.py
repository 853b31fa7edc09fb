"""API errors: a status, a stable machine-readable code and a message (never personal data)."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class UnknownSession(ApiError):
    def __init__(self) -> None:
        super().__init__(404, "unknown_session", "no such session for this user")


class SessionBusy(ApiError):
    def __init__(self) -> None:
        super().__init__(409, "session_busy", "another message of this session is in progress")
