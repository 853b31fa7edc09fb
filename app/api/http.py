"""The chat HTTP API (FastAPI on Starlette): the ASGI app the Ray Serve ingress serves.

Identity comes from the bearer token only. Malformed input gets a 4xx with a reason before
anything touches the session; a turn is written to the session only once it completed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal, Protocol

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.agents.events import ChatEvent, EventType, customer_view
from app.agents.worker import ConsentDecision
from app.api.auth import Identity, InvalidToken, Role, TokenService
from app.api.body_limit import BodyLimit
from app.api.errors import ApiError, SessionBusy, UnknownSession
from app.observability.metrics import exposition
from app.observability.tracing import trace_requests
from app.streaming import ready_batches
from app.web.routes import WebBackend, mount_web

log = logging.getLogger("app.api")

__all__ = ["ApiError", "ChatService", "SessionBusy", "UnknownSession", "create_chat_app"]

MAX_MESSAGE_CHARS = 4000
MAX_BODY_BYTES = 32_768
# The knowledge-base editor uploads whole Markdown documents (up to 200,000 characters).
MAX_KB_BODY_BYTES = 1_048_576


class ChatService(Protocol):
    """What the API needs from the agent behind it (app/agents/pipeline.py)."""

    async def create_session(self, identity: Identity) -> str: ...

    async def start_turn(
        self,
        identity: Identity,
        session_id: str,
        message: str,
        consent: ConsentDecision | None = None,
    ) -> AsyncIterator[ChatEvent]:
        """Validate the session and take its lock (raising ApiError), then stream the turn.
        `consent` is a structured answer to a proposal (`message` then renders it)."""
        ...

    async def history(self, identity: Identity, session_id: str) -> list[dict[str, Any]]: ...

    async def readiness(self) -> dict[str, str]: ...


class MessageIn(BaseModel):
    """A message, or a structured answer to a proposal (`proposal_id` + `decision`), or both."""

    model_config = ConfigDict(extra="forbid")

    message: str | None = Field(default=None, min_length=1, max_length=MAX_MESSAGE_CHARS)
    proposal_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="The proposal this answers (from its `confirmation_required` event).",
    )
    decision: Literal["yes", "no"] | None = Field(
        default=None, description="With `proposal_id`: the customer's answer to that proposal."
    )
    stream: bool = Field(default=True, description="Server-Sent Events when true, else JSON.")

    @field_validator("message")
    @classmethod
    def _not_blank(cls, message: str | None) -> str | None:
        # A message of spaces, tabs or newlines says nothing: 422, and no turn is stored.
        if message is not None and not message.strip():
            raise ValueError("empty_message: the message is blank")
        return message

    @model_validator(mode="after")
    def _message_or_decision(self) -> MessageIn:
        if (self.proposal_id is None) != (self.decision is None):
            raise ValueError("proposal_id and decision go together")
        if self.message is None and self.decision is None:
            raise ValueError("send a message, or a proposal_id with a decision")
        return self

    def consent(self) -> ConsentDecision | None:
        if self.proposal_id is None or self.decision is None:
            return None
        return ConsentDecision(proposal_id=self.proposal_id, decision=self.decision)

    def text(self) -> str:
        # A button press is kept in the conversation as the words it stands for.
        return self.message or ("Yes" if self.decision == "yes" else "No")


class ChatIn(MessageIn):
    session_id: str | None = Field(
        default=None, max_length=64, description="Omit to start a new session."
    )


class SessionOut(BaseModel):
    session_id: str


class ChatOut(BaseModel):
    session_id: str
    reply: str
    events: list[ChatEvent]


class ErrorOut(BaseModel):
    error: dict[str, str]


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def _identity(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Identity:
    tokens: TokenService = request.app.state.tokens
    try:
        who = tokens.verify_header(authorization)
    except InvalidToken as exc:
        raise ApiError(401, "unauthorized", "missing, expired or invalid token") from exc
    if who.role is not Role.CUSTOMER:
        raise ApiError(403, "forbidden", "chat is for customer tokens")
    return who


async def _json_body(request: Request) -> None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(415, "unsupported_media_type", "send application/json")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", f"bodies are limited to {MAX_BODY_BYTES} bytes")


Who = Annotated[Identity, Depends(_identity)]


def create_chat_app(
    service: ChatService, tokens: TokenService, web: WebBackend | None = None
) -> FastAPI:
    """The chat API; with `web`, also the three pages and their APIs (app/web)."""
    app = FastAPI(
        title="Order support agent",
        version="1.0.0",
        description=(
            "Chat with the support agent. Send `Authorization: Bearer <token>`; answers stream "
            "as Server-Sent Events (`token`, `tool`, `confirmation_required`, `escalated`, "
            "`done`, `error`) or come back as JSON with `stream: false`."
        ),
        responses={code: {"model": ErrorOut} for code in (401, 404, 409, 413, 415, 422)},
    )
    app.state.tokens = tokens
    # Counted on the bytes received (a chunked body has no Content-Length to check).
    app.add_middleware(
        BodyLimit, max_bytes=MAX_BODY_BYTES, larger={"/v1/console/kb/": MAX_KB_BODY_BYTES}
    )
    trace_requests(app)  # added last: the outermost, so its span covers every other layer

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        kind = first.get("type", "")
        code = "invalid_json" if kind == "json_invalid" else "invalid_request"
        if kind == "string_too_long" and where == "message":
            code = "message_too_long"
        if kind == "value_error" and "empty_message" in str(first.get("msg", "")):
            code = "empty_message"
        # The offending value is not echoed: it may hold personal data.
        return _error(422, code, f"{where or 'body'}: {first.get('msg', 'invalid')}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, "http_error", str(exc.detail))

    @app.get("/metrics", tags=["health"], include_in_schema=False)
    async def metrics() -> Response:
        body, content_type = exposition()
        return Response(content=body, media_type=content_type)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    async def readyz() -> JSONResponse:
        checks = await service.readiness()
        ready = all(v in ("ok", "not_configured") for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.post("/v1/sessions", status_code=201, response_model=SessionOut, tags=["chat"])
    async def create_session(who: Who) -> SessionOut:
        return SessionOut(session_id=await service.create_session(who))

    @app.get("/v1/sessions/{session_id}", tags=["chat"])
    async def get_session(who: Who, session_id: str) -> dict[str, Any]:
        return {"session_id": session_id, "turns": await service.history(who, session_id)}

    @app.post(
        "/v1/sessions/{session_id}/messages",
        dependencies=[Depends(_json_body)],
        response_model=ChatOut,
        tags=["chat"],
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def post_message(who: Who, session_id: str, body: MessageIn) -> Any:
        return await _turn(who, session_id, body)

    @app.post(
        "/v1/chat",
        dependencies=[Depends(_json_body)],
        response_model=ChatOut,
        tags=["chat"],
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def chat(who: Who, body: ChatIn) -> Any:
        session_id = body.session_id or await service.create_session(who)
        return await _turn(who, session_id, body)

    async def _turn(who: Identity, session_id: str, body: MessageIn) -> Any:
        if len(session_id) > 64:
            raise UnknownSession()
        events = _for_customer(
            await service.start_turn(who, session_id, body.text(), body.consent())
        )
        if body.stream:
            return StreamingResponse(
                _sse(session_id, events),
                media_type="text/event-stream",
                headers={
                    "Cache-Control": "no-cache",
                    "X-Session-Id": session_id,
                    "X-Accel-Buffering": "no",
                },
            )
        collected = [event async for event in events]
        reply = "".join(e.data.get("text", "") for e in collected if e.type is EventType.TOKEN)
        return ChatOut(session_id=session_id, reply=reply, events=collected)

    if web is not None:
        mount_web(app, web)
    return app


async def _for_customer(events: AsyncIterator[ChatEvent]) -> AsyncIterator[ChatEvent]:
    async for event in events:
        shown = customer_view(event)
        if shown is not None:
            yield shown


async def _sse(session_id: str, events: AsyncIterator[ChatEvent]) -> AsyncIterator[bytes]:
    # A comment line first: proxies and clients see the stream open at once.
    yield f": session {session_id}\n\n".encode()
    # Events ready together go as one body chunk (a templated answer's words: one write, not
    # one per word); an event that comes while the stream is idle goes out at once.
    async for batch in ready_batches(events):
        yield b"".join(event.sse() for event in batch)
