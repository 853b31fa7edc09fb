"""The one interface every caller of a model uses: OpenAI-compatible chat completions.

The self-hosted fleets (Ray Serve LLM + vLLM) and a frontier API speak the same protocol, so a
tier's model is just an endpoint in configuration. The official `openai` SDK does the HTTP,
SSE parsing and retries; this module adds typed results, a bounded timeout and fallback.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any, Protocol

import openai
from openai import AsyncOpenAI
from pydantic import BaseModel, Field


class ModelEndpoint(BaseModel):
    """Where a tier's model lives. `api_key` is never logged (repr=False)."""

    name: str = Field(description="Label used in traces and metrics, e.g. 'tracking-fleet'.")
    base_url: str = Field(description="OpenAI-compatible base URL, ending in /v1.")
    model: str
    api_key: str = Field(default="not-needed", repr=False)
    timeout_s: float = Field(default=30.0, gt=0)
    connect_timeout_s: float = Field(default=2.0, gt=0)
    max_retries: int = Field(default=1, ge=0)


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_prompt_tokens: int | None = None


class Completion(BaseModel):
    text: str
    finish_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)
    endpoint: str
    model: str
    ttft_s: float | None = None
    total_s: float = 0.0


class Delta(BaseModel):
    """One streamed piece of a completion. The last one carries finish_reason and usage."""

    text: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    endpoint: str = ""


class ModelUnavailable(RuntimeError):
    """No endpoint produced an answer (unreachable, timed out, or 5xx on every try)."""


class ChatModel(Protocol):
    """What agents depend on. `response_schema` turns on constrained decoding (JSON Schema)."""

    async def complete(
        self,
        messages: Sequence[dict[str, Any]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        response_schema: dict[str, Any] | None = None,
        schema_name: str = "output",
        stop: Sequence[str] | None = None,
    ) -> Completion: ...

    def stream(
        self,
        messages: Sequence[dict[str, Any]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: Sequence[str] | None = None,
    ) -> AsyncIterator[Delta]: ...


def response_format(schema: dict[str, Any], name: str) -> dict[str, Any]:
    """OpenAI `response_format` for a JSON Schema; vLLM enforces it with its XGrammar backend."""
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


def _usage(raw: Any) -> Usage:
    if raw is None:
        return Usage()
    details = getattr(raw, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) if details is not None else None
    return Usage(
        prompt_tokens=raw.prompt_tokens or 0,
        completion_tokens=raw.completion_tokens or 0,
        cached_prompt_tokens=cached,
    )


def _http_transport_errors() -> tuple[type[BaseException], ...]:
    # A transport error while a stream is read surfaces unwrapped, from whichever HTTP library
    # the installed SDK uses (httpx for openai 1.x, httpx2 for 3.x).
    errors: list[type[BaseException]] = []
    for module_name in ("httpx", "httpx2"):
        try:
            errors.append(importlib.import_module(module_name).TransportError)
        except (ImportError, AttributeError):
            continue
    return tuple(errors)


# Errors that mean "this endpoint cannot answer now": try the next one.
_UNAVAILABLE = (
    openai.APIConnectionError,
    openai.APITimeoutError,
    openai.InternalServerError,
    openai.RateLimitError,
    openai.AuthenticationError,
    openai.NotFoundError,
    *_http_transport_errors(),
)


@dataclass
class OpenAIChatModel:
    """A ChatModel backed by one OpenAI-compatible endpoint."""

    endpoint: ModelEndpoint
    _client: AsyncOpenAI = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._client = AsyncOpenAI(
            base_url=self.endpoint.base_url,
            api_key=self.endpoint.api_key,
            # The SDK's own Timeout type: openai 1.x builds on httpx and 3.x on httpx2, and
            # each rejects the other's Timeout (httpx2 >= 2.17 refuses an httpx.Timeout).
            timeout=openai.Timeout(
                self.endpoint.timeout_s, connect=self.endpoint.connect_timeout_s
            ),
            max_retries=self.endpoint.max_retries,
        )

    async def complete(
        self,
        messages: Sequence[dict[str, Any]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        response_schema: dict[str, Any] | None = None,
        schema_name: str = "output",
        stop: Sequence[str] | None = None,
    ) -> Completion:
        started = time.perf_counter()
        kwargs: dict[str, Any] = {}
        if response_schema is not None:
            kwargs["response_format"] = response_format(response_schema, schema_name)
        if stop:
            kwargs["stop"] = list(stop)
        try:
            raw = await self._client.chat.completions.create(
                model=self.endpoint.model,
                messages=list(messages),  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=temperature,
                **kwargs,
            )
        except _UNAVAILABLE as exc:
            raise ModelUnavailable(f"{self.endpoint.name}: {type(exc).__name__}") from exc
        choice = raw.choices[0]
        elapsed = time.perf_counter() - started
        return Completion(
            text=choice.message.content or "",
            finish_reason=choice.finish_reason,
            usage=_usage(raw.usage),
            endpoint=self.endpoint.name,
            model=self.endpoint.model,
            total_s=elapsed,
        )

    async def stream(
        self,
        messages: Sequence[dict[str, Any]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: Sequence[str] | None = None,
    ) -> AsyncIterator[Delta]:
        kwargs: dict[str, Any] = {"stream_options": {"include_usage": True}}
        if stop:
            kwargs["stop"] = list(stop)
        try:
            chunks = await self._client.chat.completions.create(
                model=self.endpoint.model,
                messages=list(messages),  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=temperature,
                stream=True,
                **kwargs,
            )
        except _UNAVAILABLE as exc:
            raise ModelUnavailable(f"{self.endpoint.name}: {type(exc).__name__}") from exc
        # Closing the response when the caller stops early (aclose) ends the request, and
        # the engine aborts a request whose client has gone, so it stops generating.
        async with chunks:
            try:
                async for chunk in chunks:
                    usage = _usage(chunk.usage) if chunk.usage is not None else None
                    if not chunk.choices:
                        if usage is not None:
                            yield Delta(usage=usage, endpoint=self.endpoint.name)
                        continue
                    choice = chunk.choices[0]
                    yield Delta(
                        text=choice.delta.content or "",
                        finish_reason=choice.finish_reason,
                        usage=usage,
                        endpoint=self.endpoint.name,
                    )
            except _UNAVAILABLE as exc:
                raise ModelUnavailable(f"{self.endpoint.name}: {type(exc).__name__}") from exc


@dataclass
class FallbackChatModel:
    """Tries endpoints in order: a frontier API first, the self-hosted fleet after it.

    A stream falls back only before its first visible text; once the customer has seen words
    from one model, switching would splice two answers, so a later failure propagates.
    """

    models: Sequence[ChatModel]

    async def complete(
        self,
        messages: Sequence[dict[str, Any]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        response_schema: dict[str, Any] | None = None,
        schema_name: str = "output",
        stop: Sequence[str] | None = None,
    ) -> Completion:
        failures: list[str] = []
        for model in self.models:
            try:
                return await model.complete(
                    messages,
                    max_tokens=max_tokens,
                    temperature=temperature,
                    response_schema=response_schema,
                    schema_name=schema_name,
                    stop=stop,
                )
            except ModelUnavailable as exc:
                failures.append(str(exc))
        raise ModelUnavailable("; ".join(failures) or "no model configured")

    async def stream(
        self,
        messages: Sequence[dict[str, Any]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: Sequence[str] | None = None,
    ) -> AsyncIterator[Delta]:
        failures: list[str] = []
        for model in self.models:
            started = False
            deltas = model.stream(
                messages, max_tokens=max_tokens, temperature=temperature, stop=stop
            )
            try:
                # aclosing: a caller that stops early closes the endpoint's stream too.
                async with aclosing(deltas):
                    async for delta in deltas:
                        started = started or bool(delta.text)
                        yield delta
                return
            except ModelUnavailable as exc:
                if started:
                    raise
                failures.append(str(exc))
        raise ModelUnavailable("; ".join(failures) or "no model configured")
