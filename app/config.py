"""Agent service configuration: environment first, then Serve application args.

Read once at start-up (each deployment replica builds its own from the same values).
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, Field

from app.platform.settings import DEV_API_KEY


class AgentSettings(BaseModel):
    platform_url: str = "http://127.0.0.1:8100"
    platform_api_key: str = DEV_API_KEY
    platform_timeout_s: float = Field(default=5.0, gt=0)
    redis_url: str = "redis://127.0.0.1:6379/0"
    session_ttl_s: int = Field(default=1800, ge=60)
    session_max_turns: int = Field(default=10, ge=2)
    hydration_ttl_s: float = Field(default=30.0, ge=0)
    jwt_secret: str | None = Field(default=None, repr=False)

    @classmethod
    def load(cls, overrides: dict[str, Any] | None = None) -> AgentSettings:
        """Environment variables (PLATFORM_URL, PLATFORM_API_KEY, REDIS_URL, OSA_JWT_SECRET,
        OSA_SESSION_TTL_S, ...) override the defaults; explicit overrides win over both."""
        env = {
            "platform_url": os.environ.get("PLATFORM_URL"),
            "platform_api_key": os.environ.get("PLATFORM_API_KEY"),
            "redis_url": os.environ.get("REDIS_URL"),
            "jwt_secret": os.environ.get("OSA_JWT_SECRET"),
            "session_ttl_s": os.environ.get("OSA_SESSION_TTL_S"),
            "session_max_turns": os.environ.get("OSA_SESSION_MAX_TURNS"),
            "hydration_ttl_s": os.environ.get("OSA_HYDRATION_TTL_S"),
        }
        values = {k: v for k, v in env.items() if v}
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        return cls.model_validate(values)
