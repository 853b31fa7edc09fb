"""Agent service configuration: environment first, then Serve application args.

Read once at start-up (each deployment replica builds its own from the same values).
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.credentials import DEV_ADMIN_KEY, DEV_API_KEY, MIN_SECRET_CHARS, Credential
from app.platform.contract import WRITE_DEADLINE_S

TRACKING_ANSWER_DEADLINE_S = 4.0


class AgentSettings(BaseModel):
    platform_url: str = "http://127.0.0.1:8100"
    platform_api_key: str = DEV_API_KEY
    platform_timeout_s: float = Field(default=5.0, gt=0)
    # The platform's documented write deadline: the one setting for how long a write's answer
    # is waited for (the executor's deadline and the HTTP client's write timeout), and from
    # when a lookup by its idempotency key is final. Must equal the platform's own.
    platform_write_deadline_s: float = Field(default=WRITE_DEADLINE_S, gt=0)
    # The support console reads the tenant's escalation queue and updates tickets through the
    # platform's admin API (PLATFORM_ADMIN_KEY; never in config files or logs).
    platform_admin_key: str = Field(default=DEV_ADMIN_KEY, repr=False)
    # Demo sign-in on the pages (seeded customers, dev tokens): local runs only.
    demo_signin: bool = False
    # Where the KB page writes edited Markdown (the directory `python -m app.kb ingest` reads).
    kb_dir: str | None = "kb"
    redis_url: str = "redis://127.0.0.1:6379/0"
    session_ttl_s: int = Field(default=1800, ge=60)
    session_max_turns: int = Field(default=10, ge=2)
    hydration_ttl_s: float = Field(default=30.0, ge=0)
    jwt_secret: str | None = Field(default=None, repr=False)
    # Model fleets (Ray Serve LLM, OpenAI-compatible). None turns the LLM paths off: workers
    # then answer only what they can say deterministically.
    llm_base_url: str | None = "http://127.0.0.1:8000/llm/v1"
    llm_timeout_s: float = Field(default=30.0, gt=0)
    tracking_model: str = "tracking-fleet"
    policy_model: str = "policy-fleet"
    router_model: str = "tracking-fleet"
    # A tracking answer from the model must show its first checked sentence within this
    # many seconds, or the platform's template answers (TTFT bound on a slow fleet).
    tracking_answer_deadline_s: float = Field(default=TRACKING_ANSWER_DEADLINE_S, gt=0)
    # Ask the model when the kNN router is unsure. Off by default on the CPU profile: the
    # 135M model classifies worse than the kNN vote's best guess (see README, serving).
    router_llm_fallback: bool = False
    # The negotiation tier's self-hosted fallback shares the tracking fleet on CPU.
    negotiation_model: str = "tracking-fleet"
    # A frontier API for the negotiation tier (OpenAI-compatible). Its key comes from the
    # environment only (OSA_FRONTIER_API_KEY), never from a config file.
    frontier_base_url: str | None = None
    frontier_model: str | None = None
    frontier_api_key: str | None = Field(default=None, repr=False)
    frontier_timeout_s: float = Field(default=20.0, gt=0)
    # Prompt versions per tier (app/llm/prompts/<id>.<version>.md); rollback = config change.
    prompts: dict[str, str] = Field(default_factory=dict)
    # "shadow": a candidate version that takes mirrored traffic only. Its write tools run in
    # dry-run (validated and recorded, never executed), its sessions, checkpoints and traces
    # live apart from production's, and it has no HTTP route, so no answer reaches a customer.
    variant: Literal["production", "shadow"] = "production"
    # The Serve application (a shadow) that production mirrors every message to, if any.
    mirror_to: str | None = None

    def credentials(self) -> list[Credential]:
        """What a deployment must set (app/credentials.py refuses dev keys and placeholders)."""
        required = [
            Credential("OSA_JWT_SECRET", self.jwt_secret, MIN_SECRET_CHARS),
            Credential("PLATFORM_API_KEY", self.platform_api_key),
            Credential("PLATFORM_ADMIN_KEY", self.platform_admin_key),
        ]
        if self.frontier_base_url:
            required.append(Credential("OSA_FRONTIER_API_KEY", self.frontier_api_key))
        return required

    @property
    def key_prefix(self) -> str:
        """Redis key prefix: production's `osa`, a shadow's `osa-shadow`."""
        return "osa" if self.variant == "production" else f"osa-{self.variant}"

    @classmethod
    def load(cls, overrides: dict[str, Any] | None = None) -> AgentSettings:
        """Environment variables (PLATFORM_URL, PLATFORM_API_KEY, REDIS_URL, OSA_JWT_SECRET,
        OSA_SESSION_TTL_S, ...) override the defaults; explicit overrides win over both."""
        env = {
            "platform_url": os.environ.get("PLATFORM_URL"),
            "platform_api_key": os.environ.get("PLATFORM_API_KEY"),
            "platform_admin_key": os.environ.get("PLATFORM_ADMIN_KEY"),
            "platform_write_deadline_s": os.environ.get("PLATFORM_WRITE_DEADLINE_S"),
            "demo_signin": os.environ.get("OSA_DEMO_SIGNIN"),
            "kb_dir": os.environ.get("OSA_KB_DIR"),
            "redis_url": os.environ.get("REDIS_URL"),
            "jwt_secret": os.environ.get("OSA_JWT_SECRET"),
            "session_ttl_s": os.environ.get("OSA_SESSION_TTL_S"),
            "session_max_turns": os.environ.get("OSA_SESSION_MAX_TURNS"),
            "hydration_ttl_s": os.environ.get("OSA_HYDRATION_TTL_S"),
            "llm_base_url": os.environ.get("OSA_LLM_BASE_URL"),
            "tracking_answer_deadline_s": os.environ.get("OSA_TRACKING_ANSWER_DEADLINE_S"),
            "frontier_base_url": os.environ.get("OSA_FRONTIER_BASE_URL"),
            "frontier_model": os.environ.get("OSA_FRONTIER_MODEL"),
            "frontier_api_key": os.environ.get("OSA_FRONTIER_API_KEY"),
        }
        values = {k: v for k, v in env.items() if v}
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        if values.get("llm_base_url") in ("off", "none", ""):
            values["llm_base_url"] = None
        return cls.model_validate(values)
