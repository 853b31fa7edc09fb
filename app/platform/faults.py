"""Fault injection for the reference platform, per operation (the OpenAPI operationId).

Tests and evals configure it through the admin API (or PLATFORM_FAULTS at start-up) to make
the platform slow, failing, hanging, or to commit a write and then lose the response.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

from app.platform.contract import ErrorCode, FaultConfig, FaultSpec
from app.platform.errors import PlatformError


@dataclass
class _FaultState:
    spec: FaultSpec
    rng: random.Random
    failures_left: int
    losses_left: int
    calls: int = 0


@dataclass
class FaultInjector:
    _states: dict[str, _FaultState] = field(default_factory=dict)

    def configure(self, operation: str, spec: FaultSpec) -> None:
        self._states[operation] = _FaultState(
            spec=spec,
            rng=random.Random(spec.seed),
            failures_left=spec.fail_first,
            losses_left=spec.lose_response_first,
        )

    def load(self, config: FaultConfig) -> None:
        self.clear()
        for operation, spec in config.faults.items():
            self.configure(operation, spec)

    def clear(self) -> None:
        self._states.clear()

    def snapshot(self) -> FaultConfig:
        return FaultConfig(faults={op: s.spec for op, s in self._states.items()})

    def spec(self, operation: str) -> FaultSpec | None:
        state = self._states.get(operation)
        return state.spec if state else None

    async def before(self, operation: str) -> None:
        """Runs before the handler: latency, a hang, or an injected 5xx."""
        state = self._states.get(operation)
        if state is None:
            return
        state.calls += 1
        spec = state.spec
        if spec.latency_ms:
            await asyncio.sleep(spec.latency_ms / 1000)
        if spec.timeout_s:
            await asyncio.sleep(spec.timeout_s)
        if state.failures_left > 0 or (spec.error_rate and state.rng.random() < spec.error_rate):
            state.failures_left = max(0, state.failures_left - 1)
            raise PlatformError(
                spec.error_status, ErrorCode.INJECTED_FAULT, f"injected fault on {operation}"
            )

    def take_lost_response(self, operation: str) -> bool:
        """After a write commits: whether to drop its response (answer 504)."""
        state = self._states.get(operation)
        if state is None or state.losses_left <= 0:
            return False
        state.losses_left -= 1
        return True


def lost_response(operation: str) -> PlatformError:
    return PlatformError(
        504, ErrorCode.RESPONSE_LOST, f"gateway timeout: the response of {operation} was lost"
    )
