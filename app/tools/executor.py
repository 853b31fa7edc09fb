"""Runs tool calls: tier check, narrowed validation, timeouts, retries, typed results.

- Arguments are validated against the request's narrowed model; a payload that fails is never
  executed.
- Reads retry transient failures (5xx, timeouts, refused connections) with jittered
  exponential backoff.
- Writes are never retried blindly: every attempt of one call carries the same idempotency
  key, derived from what is being done (client, customer, tool, arguments: order, reason,
  amount, item set) and the decision it carries out (`scope`: a proposal id, else the
  session), so a replay can only return the first result, and a second proposal with the same
  terms is a second write. Only outcome-unknown failures (5xx, timeouts) are replayed; a rule
  violation is final. When the outcome stays unknown the result says so, and the caller must
  read platform state back before telling the customer anything.
- Failures come back as `ToolFailure` values, never as exceptions.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from app.observability.metrics import count_tool_call
from app.platform.contract import WRITE_DEADLINE_S
from app.platform.errors import PlatformError
from app.tools.definitions import TOOLS, PolicySearchUnavailable
from app.tools.narrowing import Narrowing, NothingToNarrowTo
from app.tools.spec import AgentTier, Tool, ToolContext

log = logging.getLogger("app.tools")


@dataclass(frozen=True)
class ToolSuccess:
    tool: str
    output: BaseModel
    attempts: int
    latency_ms: float
    idempotency_key: str | None = None
    ok: bool = field(default=True, init=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "tool": self.tool,
            "output": self.output.model_dump(mode="json"),
            "attempts": self.attempts,
            "latency_ms": round(self.latency_ms, 2),
        }


@dataclass(frozen=True)
class ToolFailure:
    tool: str
    code: str
    message: str
    retryable: bool = False
    # For writes: the platform may or may not have applied it; read state back.
    outcome_unknown: bool = False
    attempts: int = 0
    latency_ms: float = 0.0
    idempotency_key: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # Wall-clock time (epoch seconds) the last attempt was sent: the platform may commit it
    # until this plus its write deadline, and a lookup by key after that is final.
    last_sent_at: float | None = None
    ok: bool = field(default=False, init=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": False,
            "tool": self.tool,
            "code": self.code,
            "message": self.message,
            "retryable": self.retryable,
            "outcome_unknown": self.outcome_unknown,
            "attempts": self.attempts,
        }


ToolResult = ToolSuccess | ToolFailure


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def idempotency_key(
    ctx: ToolContext, tool: str, arguments: BaseModel, scope: str | None = None
) -> str:
    """Same decision + same action = same key, so a repeated "yes" cannot write twice.

    `scope` names the decision the write carries out (a proposal id): two proposals with the
    same terms are two writes, a replay of one proposal is one. Without a scope the session
    is the decision (notifications and tickets of one conversation)."""
    material = "|".join(
        (
            ctx.who.client_id,
            ctx.who.customer_id,
            f"proposal:{scope}" if scope is not None else f"session:{ctx.session_id}",
            tool,
            canonical_json(_canonical_arguments(arguments.model_dump(mode="json"))),
        )
    )
    return "osa-" + hashlib.sha256(material.encode()).hexdigest()[:48]


def _canonical_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """A return's item set is a set: the order its lines were listed in writes nothing else."""
    items = arguments.get("items")
    if not isinstance(items, list):
        return arguments
    return {**arguments, "items": sorted(items, key=canonical_json)}


def _backoff(settings: ExecutorSettings) -> wait_exponential_jitter:
    # Jitter proportional to the first delay; tenacity's default (1 s) would dwarf it.
    return wait_exponential_jitter(
        multiplier=settings.backoff_initial_s,
        max=settings.backoff_max_s,
        jitter=settings.backoff_initial_s,
    )


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, PlatformError):
        return exc.transient
    return isinstance(exc, TimeoutError)


def _timed_out(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or (
        isinstance(exc, PlatformError) and exc.code == "timeout"
    )


def _replayable_write_failure(exc: BaseException) -> bool:
    """A write is replayed after a 5xx or a lost answer, not after its own deadline: the
    request may still be running until then, a replay cannot answer sooner, and after it a
    lookup by key is final (so a hung platform costs one deadline, not one per attempt)."""
    return _transient(exc) and not _timed_out(exc)


@dataclass(frozen=True)
class ExecutorSettings:
    read_timeout_s: float = 4.0
    # The platform's write deadline, and the platform client's write timeout (one setting:
    # AgentSettings.platform_write_deadline_s). Waiting less would call a write "unknown"
    # that the platform still answers; waiting more would wait on what it has refused.
    write_timeout_s: float = WRITE_DEADLINE_S
    read_attempts: int = 3
    write_attempts: int = 3
    backoff_initial_s: float = 0.05
    backoff_max_s: float = 1.0


DRY_RUN = "dry_run"


class ToolExecutor:
    def __init__(
        self, settings: ExecutorSettings | None = None, *, dry_run_writes: bool = False
    ) -> None:
        self.settings = settings or ExecutorSettings()
        # A shadow deployment's writes: validated like any call, recorded, never sent.
        self.dry_run_writes = dry_run_writes

    def write_key(
        self, ctx: ToolContext, name: str, arguments: dict[str, Any], scope: str | None = None
    ) -> str:
        """The idempotency key `execute` sends this write with (to look it up by key)."""
        tool = TOOLS[name]
        return idempotency_key(ctx, name, tool.input_model.model_validate(arguments), scope)

    def validate(
        self,
        tool: Tool,  # type: ignore[type-arg]
        arguments: dict[str, Any] | str | BaseModel,
        narrowing: Narrowing | None,
    ) -> BaseModel:
        """Parse arguments with the narrowed model. Raises ValidationError or NothingToNarrowTo."""
        model = tool.input_model_for(narrowing)
        if isinstance(arguments, BaseModel):
            arguments = arguments.model_dump(mode="json")
        if isinstance(arguments, str):
            return model.model_validate_json(arguments)
        return model.model_validate(arguments)

    async def execute(
        self,
        ctx: ToolContext,
        tier: AgentTier,
        name: str,
        arguments: dict[str, Any] | str | BaseModel,
        narrowing: Narrowing | None = None,
        *,
        scope: str | None = None,
    ) -> ToolResult:
        """`scope`: for a write, the decision it carries out (see `idempotency_key`)."""
        result = await self._execute(ctx, tier, name, arguments, narrowing, scope)
        # Every call is counted where it runs (the worker replicas), by tier and tool, so a
        # failing platform operation shows up per tier before customers report it.
        count_tool_call(tier.value, result.tool, ok=result.ok, code=getattr(result, "code", None))
        return result

    async def _execute(
        self,
        ctx: ToolContext,
        tier: AgentTier,
        name: str,
        arguments: dict[str, Any] | str | BaseModel,
        narrowing: Narrowing | None,
        scope: str | None = None,
    ) -> ToolResult:
        started = time.perf_counter()
        tool = TOOLS.get(name)
        if tool is None:
            return ToolFailure(name, "unknown_tool", f"no tool named {name!r}")
        if tier not in tool.tiers:
            return ToolFailure(name, "tool_not_allowed", f"{name} is not a {tier.value} tool")
        # The client is always pinned to the verified identity, even without other narrowing.
        if narrowing is not None and narrowing.client_id not in (None, ctx.who.client_id):
            return ToolFailure(name, "invalid_arguments", "narrowing names another client")
        narrowing = _pin_client(narrowing, ctx)
        try:
            args = self.validate(tool, arguments, narrowing)
        except ValidationError as exc:
            return ToolFailure(
                name,
                "invalid_arguments",
                "arguments do not match the tool schema",
                details={
                    "errors": [{"loc": list(e["loc"]), "type": e["type"]} for e in exc.errors()]
                },
            )
        except NothingToNarrowTo as exc:
            return ToolFailure(name, "invalid_arguments", str(exc))

        if tool.writes and self.dry_run_writes:
            return ToolFailure(
                name,
                DRY_RUN,
                "dry run: the write was validated and recorded, not executed",
                latency_ms=(time.perf_counter() - started) * 1000,
                details={"arguments": args.model_dump(mode="json", exclude_none=True)},
            )
        if tool.writes:
            return await self._run_write(ctx, tool, args, started, scope)
        return await self._run_read(ctx, tool, args, started)

    async def _run_read(
        self,
        ctx: ToolContext,
        tool: Tool,
        args: BaseModel,
        started: float,  # type: ignore[type-arg]
    ) -> ToolResult:
        return await self._run(
            tool,
            lambda: tool.run(ctx, args),
            self.settings.read_attempts,
            self.settings.read_timeout_s,
            started,
            key=None,
        )

    async def _run_write(
        self,
        ctx: ToolContext,
        tool: Tool,
        args: BaseModel,
        started: float,  # type: ignore[type-arg]
        scope: str | None = None,
    ) -> ToolResult:
        key = idempotency_key(ctx, tool.name, args, scope)
        # Replays reuse `key`: the platform returns the first result instead of writing again.
        return await self._run(
            tool,
            lambda: tool.run(ctx, args, key),
            self.settings.write_attempts,
            self.settings.write_timeout_s,
            started,
            key=key,
            retry_on=_replayable_write_failure,
        )

    async def _run(
        self,
        tool: Tool,  # type: ignore[type-arg]
        call: Callable[[], Awaitable[BaseModel]],
        max_attempts: int,
        timeout_s: float,
        started: float,
        *,
        key: str | None,
        retry_on: Callable[[BaseException], bool] = _transient,
    ) -> ToolResult:
        """Runs `call` with a per-attempt timeout, retrying only transient failures."""
        attempts = 0
        last_sent: float | None = None
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(max_attempts),
                wait=_backoff(self.settings),
                retry=retry_if_exception(retry_on),
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    last_sent = time.time()
                    async with asyncio.timeout(timeout_s):
                        output = await call()
        except (PlatformError, TimeoutError) as exc:
            return replace(
                self._failure(tool, exc, attempts, started, key=key), last_sent_at=last_sent
            )
        except PolicySearchUnavailable as exc:
            return ToolFailure(
                tool.name, "unavailable", str(exc), attempts=attempts, latency_ms=_ms(started)
            )
        except Exception as exc:  # a bug or an unexpected payload: report, never raise
            log.exception("tool %s failed unexpectedly", tool.name)
            return ToolFailure(
                tool.name,
                "internal_error",
                type(exc).__name__,
                # A write may have reached the platform: its outcome is unknown.
                outcome_unknown=tool.writes,
                attempts=attempts,
                latency_ms=_ms(started),
                idempotency_key=key,
                last_sent_at=last_sent,
            )
        return ToolSuccess(tool.name, output, attempts, _ms(started), idempotency_key=key)

    def _failure(
        self,
        tool: Tool,  # type: ignore[type-arg]
        exc: PlatformError | TimeoutError,
        attempts: int,
        started: float,
        *,
        key: str | None,
    ) -> ToolFailure:
        if isinstance(exc, TimeoutError):
            code, message, transient, details = "timeout", f"{tool.name} timed out", True, {}
        else:
            code, message, transient, details = exc.code, exc.message, exc.transient, exc.details
        return ToolFailure(
            tool.name,
            code,
            message,
            retryable=transient,
            outcome_unknown=tool.writes and transient,
            attempts=attempts,
            latency_ms=_ms(started),
            idempotency_key=key,
            details=details,
        )


def _pin_client(narrowing: Narrowing | None, ctx: ToolContext) -> Narrowing:
    if narrowing is None:
        return Narrowing(client_id=ctx.who.client_id)
    return replace(narrowing, client_id=ctx.who.client_id)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
