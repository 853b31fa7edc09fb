"""Configuration of the reference platform service, read once from the environment."""

from __future__ import annotations

import os

from pydantic import BaseModel, Field

from app.paths import VAR_DIR
from app.platform.contract import WRITE_DEADLINE_S, FaultConfig

DEFAULT_DB_PATH = VAR_DIR / "platform.db"
# Development credentials: the README's run command uses them on loopback only. A deployment
# sets PLATFORM_API_KEY / PLATFORM_ADMIN_KEY from its secret store.
DEV_API_KEY = "dev-platform-key"
DEV_ADMIN_KEY = "dev-platform-admin-key"


class PlatformSettings(BaseModel):
    database_url: str = Field(default=f"sqlite+aiosqlite:///{DEFAULT_DB_PATH}")
    api_key: str = DEV_API_KEY
    admin_key: str = DEV_ADMIN_KEY
    faults: FaultConfig = Field(default_factory=FaultConfig)
    settle_interval_s: float = Field(default=1.0, gt=0)
    # The documented write deadline (contract.WRITE_DEADLINE_S); lowered only by tests.
    write_deadline_s: float = Field(default=WRITE_DEADLINE_S, gt=0)

    @classmethod
    def from_env(cls) -> PlatformSettings:
        values: dict[str, object] = {}
        if url := os.environ.get("PLATFORM_DATABASE_URL"):
            values["database_url"] = url
        if key := os.environ.get("PLATFORM_API_KEY"):
            values["api_key"] = key
        if key := os.environ.get("PLATFORM_ADMIN_KEY"):
            values["admin_key"] = key
        if deadline := os.environ.get("PLATFORM_WRITE_DEADLINE_S"):
            values["write_deadline_s"] = deadline
        if faults := os.environ.get("PLATFORM_FAULTS"):
            values["faults"] = FaultConfig.model_validate_json(faults)
        return cls.model_validate(values)
