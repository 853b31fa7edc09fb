"""Typed errors of the session store; the ingress maps each to one answer."""

from __future__ import annotations


class SessionError(Exception):
    """Base of the session store's typed errors."""


class UnknownSession(SessionError):
    """Missing, expired, malformed, or not this user's (deliberately indistinguishable)."""


class SessionConflict(SessionError):
    """A write lost the optimistic race more times than `write_attempts` allows."""


class SessionBusy(SessionError):
    """Another request holds this session's lock."""
