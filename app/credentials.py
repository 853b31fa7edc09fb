"""Credentials a deployment must set, and the refusal to start without them.

Local runs (`make run`, the tests) work on development keys that anyone who reads this
repository knows. Outside local mode the service refuses to start while any credential is a
development key, a placeholder from the example manifests, or missing, and says which
setting is wrong; it never falls back to a known key.

Local mode is explicit: `OSA_ENV=local`, or the pages' demo sign-in (`OSA_DEMO_SIGNIN`),
which only a local run turns on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

# The reference platform's development keys (app/platform/settings.py defines the service's
# side; tests/test_credentials.py holds the two equal). Defaults for local runs only.
DEV_API_KEY = "dev-platform-key"
DEV_ADMIN_KEY = "dev-platform-admin-key"
DEV_KEYS = frozenset({DEV_API_KEY, DEV_ADMIN_KEY})

MIN_SECRET_CHARS = 32
# What the example manifests and tutorials put where a secret goes.
_PLACEHOLDER = re.compile(
    r"change[-_ ]?me|replace[-_ ]?me|placeholder|example|your[-_]|<.*>|x{6,}", re.I
)
_TRUE = {"1", "true", "yes", "on"}


class InsecureConfiguration(RuntimeError):
    """A credential is missing, a development key, or a placeholder outside local mode."""


@dataclass(frozen=True)
class Credential:
    setting: str  # the environment variable a deployment sets
    value: str | None
    min_chars: int = 1


def local_mode(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return (
        env.get("OSA_ENV", "").strip().lower() == "local"
        or env.get("OSA_DEMO_SIGNIN", "").strip().lower() in _TRUE
    )


def problems(credentials: list[Credential]) -> list[str]:
    """One sentence per credential that a deployment may not run with."""
    found: list[str] = []
    for credential in credentials:
        value = (credential.value or "").strip()
        if not value:
            found.append(f"{credential.setting} is not set")
        elif value in DEV_KEYS:
            found.append(f"{credential.setting} is a development key")
        elif _PLACEHOLDER.search(value):
            found.append(f"{credential.setting} is a placeholder ({_redacted(value)})")
        elif len(value) < credential.min_chars:
            found.append(f"{credential.setting} is shorter than {credential.min_chars} characters")
    return found


def require_deployable(
    service: str, credentials: list[Credential], env: Mapping[str, str] | None = None
) -> None:
    """Raise InsecureConfiguration naming every wrong setting, unless in local mode."""
    if local_mode(env):
        return
    found = problems(credentials)
    if found:
        raise InsecureConfiguration(
            f"{service} refuses to start: "
            + "; ".join(found)
            + ". Set real secrets (see cluster/README.md), or OSA_ENV=local for a local run."
        )


def _redacted(value: str) -> str:
    # Enough to recognise a placeholder in the error, never a whole secret.
    return f"{value[:10]}…" if len(value) > 10 else value
