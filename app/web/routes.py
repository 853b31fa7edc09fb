"""Routes of the three pages and the endpoints behind them, added to the chat API's app.

Identity always comes from the bearer token. The pages keep it in `sessionStorage` and send it
as `Authorization`; streams are read with `fetch` (not `EventSource`, which cannot send
headers), so no token ever appears in a URL or a log line.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Protocol

from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import FileResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from app.api.auth import Identity, InvalidToken, Role, TokenService
from app.api.errors import ApiError, UnknownSession
from app.sessions.errors import UnknownSession as StoreUnknownSession
from app.sessions.store import SessionStore
from app.sessions.takeover import Takeover
from app.web.console import ConsoleService
from app.web.demo import DemoDirectory

STATIC = Path(__file__).parent / "static"
# The pages load only their own scripts and styles, and talk only to this origin.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class KbPort(Protocol):
    """The KB operations (app.retrieval.admin.KbAdmin.call), wherever the engine lives."""

    async def call(self, op: str, args: dict[str, Any]) -> dict[str, Any]: ...


@dataclass
class WebBackend:
    sessions: SessionStore
    takeover: Takeover
    console: ConsoleService
    kb: KbPort | None = None
    demo: DemoDirectory | None = None


class DemoTokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(max_length=32)
    customer_id: str | None = Field(default=None, max_length=16)
    role: Role = Role.CUSTOMER


class AgentMessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)


class KbDocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    markdown: str = Field(min_length=1, max_length=200_000)


class KbQueryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=500)
    region: str | None = Field(default=None, max_length=8)
    top_k: int = Field(default=5, ge=1, le=20)
    mode: str | None = Field(default=None, max_length=20)


def _verified(request: Request, authorization: str | None) -> Identity:
    tokens: TokenService = request.app.state.tokens
    try:
        return tokens.verify_header(authorization)
    except InvalidToken as exc:
        raise ApiError(401, "unauthorized", "missing, expired or invalid token") from exc


def _identity(role: Role | None, refusal: str = "") -> Callable[..., Awaitable[Identity]]:
    """A dependency: the verified token's identity, of `role` when one is required."""

    async def dependency(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Identity:
        who = _verified(request, authorization)
        if role is not None and who.role is not role:
            raise ApiError(403, "forbidden", refusal)
        return who

    return dependency


Anyone = Annotated[Identity, Depends(_identity(None))]
Customer = Annotated[Identity, Depends(_identity(Role.CUSTOMER, "this is for customer tokens"))]
Agent = Annotated[
    Identity, Depends(_identity(Role.AGENT, "the console is for support agents' tokens"))
]


def mount_web(app: FastAPI, web: WebBackend) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def page(name: str) -> FileResponse:
        return FileResponse(STATIC / name, media_type="text/html", headers=PAGE_HEADERS)

    @app.get("/", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return page("chat.html")

    @app.get("/console", include_in_schema=False)
    async def console_page() -> FileResponse:
        return page("console.html")

    @app.get("/console/kb", include_in_schema=False)
    async def kb_page() -> FileResponse:
        return page("kb.html")

    # ------------------------------------------------------------ sign-in

    @app.get("/v1/web/config", tags=["web"])
    async def web_config() -> dict[str, Any]:
        return {"demo_signin": web.demo is not None, "kb": web.kb is not None}

    @app.get("/v1/whoami", tags=["web"])
    async def whoami(who: Anyone) -> dict[str, str]:
        return {"user_id": who.user_id, "client_id": who.client_id, "role": who.role.value}

    def demo() -> DemoDirectory:
        if web.demo is None:
            raise ApiError(404, "demo_signin_disabled", "demo sign-in is off (OSA_DEMO_SIGNIN)")
        return web.demo

    @app.get("/v1/demo/tenants", tags=["web"])
    async def demo_tenants() -> dict[str, Any]:
        return {"tenants": await demo().tenants()}

    @app.post("/v1/demo/token", tags=["web"])
    async def demo_token(body: DemoTokenIn) -> dict[str, str]:
        directory = demo()
        if body.role is Role.CUSTOMER and not body.customer_id:
            raise ApiError(422, "invalid_request", "customer_id is required")
        token = await directory.token(body.customer_id or "", body.client_id, body.role)
        return {"token": token}

    # ------------------------------------------------------------ the customer's live events

    @app.get(
        "/v1/sessions/{session_id}/events",
        tags=["chat"],
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def session_events(who: Customer, session_id: str) -> StreamingResponse:
        """Server-Sent Events pushed to the customer outside a turn: `takeover`,
        `agent_message` (a support agent's message), `handback`."""
        try:
            await web.sessions.load(who.client_id, who.user_id, session_id)
        except (StoreUnknownSession, ValueError):
            raise UnknownSession() from None
        held = await web.takeover.holder(who.client_id, session_id)
        return StreamingResponse(
            _live(web.takeover, who.client_id, session_id, held is not None),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    # ------------------------------------------------------------ support console

    @app.get("/v1/console/tickets", tags=["console"])
    async def console_tickets(who: Agent) -> dict[str, Any]:
        return {"client_id": who.client_id, "tickets": await web.console.queue(who)}

    @app.get("/v1/console/tickets/{ticket_id}", tags=["console"])
    async def console_ticket(who: Agent, ticket_id: str) -> dict[str, Any]:
        return await web.console.ticket(who, ticket_id)

    @app.post("/v1/console/tickets/{ticket_id}/takeover", tags=["console"])
    async def console_take_over(who: Agent, ticket_id: str) -> dict[str, Any]:
        return await web.console.take_over(who, ticket_id)

    @app.post("/v1/console/tickets/{ticket_id}/handback", tags=["console"])
    async def console_hand_back(who: Agent, ticket_id: str) -> dict[str, Any]:
        return await web.console.hand_back(who, ticket_id)

    @app.post("/v1/console/tickets/{ticket_id}/messages", tags=["console"])
    async def console_message(who: Agent, ticket_id: str, body: AgentMessageIn) -> dict[str, Any]:
        return await web.console.message(who, ticket_id, body.text)

    @app.post("/v1/console/tickets/{ticket_id}/close", tags=["console"])
    async def console_close(who: Agent, ticket_id: str) -> dict[str, Any]:
        return await web.console.close(who, ticket_id)

    # ------------------------------------------------------------ knowledge base

    async def kb(op: str, who: Identity, **args: Any) -> dict[str, Any]:
        if web.kb is None:
            raise ApiError(503, "kb_unavailable", "policy retrieval is off (MILVUS_URI)")
        result = await web.kb.call(op, {"client_id": who.client_id, **args})
        if error := result.get("error"):
            raise ApiError(int(error["status"]), str(error["code"]), str(error["message"]))
        return result

    @app.get("/v1/console/kb/documents", tags=["knowledge base"])
    async def kb_documents(who: Agent) -> dict[str, Any]:
        return await kb("documents", who)

    @app.get("/v1/console/kb/documents/{client_id}/{name}", tags=["knowledge base"])
    async def kb_source(who: Agent, client_id: str, name: str) -> dict[str, Any]:
        return await kb("source", who, source_doc=f"{client_id}/{name}")

    @app.post("/v1/console/kb/plan", tags=["knowledge base"])
    async def kb_plan(who: Agent, body: KbDocumentIn) -> dict[str, Any]:
        """The dry-run diff: which chunks of the document would be added, changed, retagged
        or removed, and its policy_version change. Nothing is written."""
        return await kb("plan", who, name=body.name, markdown=body.markdown)

    @app.post("/v1/console/kb/apply", tags=["knowledge base"])
    async def kb_apply(who: Agent, body: KbDocumentIn) -> dict[str, Any]:
        return await kb("apply", who, name=body.name, markdown=body.markdown)

    @app.post("/v1/console/kb/query", tags=["knowledge base"])
    async def kb_query(who: Agent, body: KbQueryIn) -> dict[str, Any]:
        return await kb("query", who, **body.model_dump())


async def _live(
    takeover: Takeover, client_id: str, session_id: str, held: bool
) -> AsyncIterator[bytes]:
    yield _sse("state", {"human": held})
    # Starlette cancels this generator when the page goes away; `follow` then unsubscribes.
    async for event in takeover.follow(client_id, session_id):
        if event is None:
            yield b": keep-alive\n\n"
            continue
        kind = str(event.pop("type", "message"))
        yield _sse(kind, event)


def _sse(kind: str, data: dict[str, Any]) -> bytes:
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return f"event: {kind}\ndata: {payload}\n\n".encode()
