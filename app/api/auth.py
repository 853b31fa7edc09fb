"""Identity from signed bearer tokens (HMAC JWT), never from the request body.

A customer token carries `sub` (the platform customer id), `client_id` (tenant) and `role`;
support agents get role `agent`. Tokens are short-lived; `python -m app.api.tokens` issues
development tokens.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

import jwt

from app.paths import VAR_DIR
from app.platform.contract import CLIENT_ID_PATTERN, CUSTOMER_ID_PATTERN

ALGORITHM = "HS256"
ISSUER = "order-support-agent"
DEV_SECRET_FILE = VAR_DIR / "dev-jwt-secret"


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"


@dataclass(frozen=True)
class Identity:
    user_id: str
    client_id: str
    role: Role


class InvalidToken(Exception):
    """Missing, expired, forged or malformed token (the API answers 401)."""


def load_secret() -> str:
    """OSA_JWT_SECRET, else a development secret kept in var/ (created once)."""
    if secret := os.environ.get("OSA_JWT_SECRET"):
        return secret
    if DEV_SECRET_FILE.exists():
        return DEV_SECRET_FILE.read_text().strip()
    DEV_SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    DEV_SECRET_FILE.write_text(secret)
    DEV_SECRET_FILE.chmod(0o600)
    return secret


class TokenService:
    def __init__(self, secret: str, *, leeway_s: int = 5) -> None:
        if len(secret) < 32:
            raise ValueError("the JWT secret must be at least 32 characters")
        self._secret = secret
        self._leeway = leeway_s

    def issue(
        self, user_id: str, client_id: str, role: Role = Role.CUSTOMER, ttl_s: int = 3600
    ) -> str:
        now = int(time.time())
        claims = {
            "sub": user_id,
            "client_id": client_id,
            "role": role.value,
            "iss": ISSUER,
            "iat": now,
            "exp": now + ttl_s,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Identity:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],  # pinned: a token cannot choose "none" or RS/HS confusion
                issuer=ISSUER,
                leeway=self._leeway,
                options={"require": ["sub", "client_id", "role", "exp", "iat", "iss"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(type(exc).__name__) from exc
        user_id, client_id, role = claims["sub"], claims["client_id"], claims["role"]
        if role not in {r.value for r in Role}:
            raise InvalidToken("unknown role")
        if not re.fullmatch(CLIENT_ID_PATTERN, str(client_id)):
            raise InvalidToken("malformed client_id")
        if role == Role.CUSTOMER and not re.fullmatch(CUSTOMER_ID_PATTERN, str(user_id)):
            raise InvalidToken("malformed customer id")
        return Identity(user_id=str(user_id), client_id=str(client_id), role=Role(role))

    def verify_header(self, authorization: str | None) -> Identity:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise InvalidToken("missing bearer token")
        return self.verify(token.strip())
