"""No known credential is accepted outside local mode (app/credentials.py).

The service refuses to start on a development key, a placeholder from the example manifest or
a missing secret, and names the setting; local mode (OSA_ENV=local, or the demo sign-in of a
local run) runs on the development keys."""

from __future__ import annotations

import inspect
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.config import AgentSettings
from app.credentials import (
    DEV_ADMIN_KEY,
    DEV_API_KEY,
    InsecureConfiguration,
    local_mode,
    require_deployable,
)
from app.platform import settings as platform_settings

REPO = Path(__file__).resolve().parents[1]
NOT_LOCAL: dict[str, str] = {}


def example_secret() -> dict[str, str]:
    documents = yaml.safe_load_all((REPO / "cluster" / "external-services.yaml").read_text())
    (secret,) = [d for d in documents if d and d["kind"] == "Secret"]
    return {k: str(v) for k, v in secret["stringData"].items()}


def settings_from(env: dict[str, str]) -> AgentSettings:
    return AgentSettings(
        jwt_secret=env.get("OSA_JWT_SECRET"),
        platform_api_key=env.get("PLATFORM_API_KEY", DEV_API_KEY),
        platform_admin_key=env.get("PLATFORM_ADMIN_KEY", DEV_ADMIN_KEY),
    )


def test_the_agents_dev_keys_are_the_reference_platforms() -> None:
    assert (DEV_API_KEY, DEV_ADMIN_KEY) == (
        platform_settings.DEV_API_KEY,
        platform_settings.DEV_ADMIN_KEY,
    )


def test_the_clusters_example_secret_is_refused_and_each_setting_named() -> None:
    secret = example_secret()
    assert "PLATFORM_ADMIN_KEY" in secret
    with pytest.raises(InsecureConfiguration) as refused:
        require_deployable("the support agent", settings_from(secret).credentials(), NOT_LOCAL)
    message = str(refused.value)
    for setting in ("OSA_JWT_SECRET", "PLATFORM_API_KEY", "PLATFORM_ADMIN_KEY"):
        assert f"{setting} is a placeholder" in message
    # The refusal names a placeholder, never prints a whole secret.
    assert "at-least-32-random-bytes" not in message


def test_defaults_are_refused_outside_local_mode() -> None:
    with pytest.raises(InsecureConfiguration) as refused:
        require_deployable("the support agent", AgentSettings().credentials(), NOT_LOCAL)
    message = str(refused.value)
    assert "OSA_JWT_SECRET is not set" in message
    assert "PLATFORM_API_KEY is a development key" in message
    assert "PLATFORM_ADMIN_KEY is a development key" in message


def test_a_short_jwt_secret_and_a_frontier_without_its_key_are_refused() -> None:
    settings = AgentSettings(
        jwt_secret="s3cr3t-but-short",
        platform_api_key=secrets.token_urlsafe(24),
        platform_admin_key=secrets.token_urlsafe(24),
        frontier_base_url="https://frontier.invalid/v1",
    )
    with pytest.raises(InsecureConfiguration) as refused:
        require_deployable("the support agent", settings.credentials(), NOT_LOCAL)
    assert "OSA_JWT_SECRET is shorter than 32 characters" in str(refused.value)
    assert "OSA_FRONTIER_API_KEY is not set" in str(refused.value)


def test_generated_secrets_start() -> None:
    settings = AgentSettings(
        jwt_secret=secrets.token_urlsafe(48),
        platform_api_key=secrets.token_urlsafe(24),
        platform_admin_key=secrets.token_urlsafe(24),
    )
    require_deployable("the support agent", settings.credentials(), NOT_LOCAL)


@pytest.mark.parametrize(
    ("env", "local"),
    [
        ({"OSA_ENV": "local"}, True),
        ({"OSA_DEMO_SIGNIN": "1"}, True),
        ({"OSA_ENV": "production"}, False),
        ({"OSA_DEMO_SIGNIN": "0"}, False),
        ({}, False),
    ],
)
def test_local_mode_is_explicit(env: dict[str, str], local: bool) -> None:
    assert local_mode(env) is local
    if local:
        require_deployable("the support agent", AgentSettings().credentials(), env)


def test_the_platform_service_refuses_to_start_on_the_example_secret() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OSA_ENV", "OSA_DEMO_SIGNIN")}
    env.update({k: v for k, v in example_secret().items() if k.startswith("PLATFORM_")})
    started = subprocess.run(
        [sys.executable, "-m", "app.platform", "serve", "--port", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert started.returncode != 0
    assert "the reference platform refuses to start" in started.stderr
    assert "PLATFORM_ADMIN_KEY is a placeholder" in started.stderr


async def test_the_ingress_replica_refuses_to_start_on_the_example_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from deployments.ingress import Ingress

    monkeypatch.delenv("OSA_ENV", raising=False)
    monkeypatch.delenv("OSA_DEMO_SIGNIN", raising=False)
    for setting, value in example_secret().items():
        monkeypatch.setenv(setting, value)
    cls = Ingress.func_or_class  # type: ignore[attr-defined]
    replica = cls.__new__(cls)
    # One stand-in per handle the ingress takes (guardrail, the workers), whatever their number.
    wanted = inspect.signature(cls.__mro__[1].__init__).parameters  # under the ASGI wrapper
    handles = [object()] * sum(1 for name in wanted if name not in ("self", "settings"))
    with pytest.raises(InsecureConfiguration, match="the support agent refuses to start"):
        started = cls.__init__(replica, *handles, settings={})
        if inspect.isawaitable(started):  # Serve's ASGI wrapper has an async __init__
            await started
