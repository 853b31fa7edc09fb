"""The support console's operations, scoped to the agent's tenant.

Tickets come from the platform's escalation queue (admin API, filtered by client id); each
ticket names the customer and the chat session, whose scrubbed turns and decision trace the
console shows. Take-over, the agent's messages and hand-back go through `Takeover`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from app.api.auth import Identity
from app.api.errors import ApiError
from app.platform.client import PlatformClient
from app.platform.contract import Ticket, TicketStatus
from app.platform.errors import PlatformError
from app.sessions.errors import UnknownSession
from app.sessions.store import SessionStore
from app.sessions.summary import render_summary
from app.sessions.takeover import Takeover

Scrub = Callable[[str], Awaitable[str]]
MAX_AGENT_MESSAGE = 2000


class ConsoleService:
    def __init__(
        self, admin: PlatformClient, sessions: SessionStore, takeover: Takeover, scrub: Scrub
    ) -> None:
        self.admin = admin
        self.sessions = sessions
        self.takeover = takeover
        self.scrub = scrub

    async def queue(self, who: Identity) -> list[dict[str, Any]]:
        tickets = await self._tickets(who.client_id)
        items = []
        for ticket in tickets:
            item = _ticket_json(ticket)
            item["held_by"] = (
                await self.takeover.holder(who.client_id, ticket.session_id)
                if ticket.session_id
                else None
            )
            items.append(item)
        return items

    async def ticket(self, who: Identity, ticket_id: str) -> dict[str, Any]:
        ticket = await self._ticket(who, ticket_id)
        item = _ticket_json(ticket)
        item["conversation"] = None
        item["held_by"] = None
        if ticket.session_id:
            try:
                state = await self.sessions.load(
                    who.client_id, ticket.customer_id, ticket.session_id
                )
            except (UnknownSession, ValueError):
                state = None
            if state is not None:
                item["conversation"] = {
                    "turns": [t.model_dump(mode="json") for t in state.turns],
                    "summary": render_summary(state.summary) if state.summary else None,
                    "pending_confirmation": state.pending_confirmation,
                }
            item["held_by"] = await self.takeover.holder(who.client_id, ticket.session_id)
        return item

    async def take_over(self, who: Identity, ticket_id: str) -> dict[str, Any]:
        ticket, session_id = await self._live_session(who, ticket_id)
        try:
            await self.takeover.take(who.client_id, ticket.customer_id, session_id, who.user_id)
        except (UnknownSession, ValueError):
            raise _unknown_session() from None
        if ticket.status is TicketStatus.OPEN:
            await self._set_status(who, ticket_id, TicketStatus.IN_PROGRESS)
        return {"ticket_id": ticket_id, "held_by": who.user_id}

    async def hand_back(self, who: Identity, ticket_id: str) -> dict[str, Any]:
        _, session_id = await self._live_session(who, ticket_id)
        await self.takeover.hand_back(who.client_id, session_id)
        return {"ticket_id": ticket_id, "held_by": None}

    async def message(self, who: Identity, ticket_id: str, text: str) -> dict[str, Any]:
        text = text.strip()
        if not text or len(text) > MAX_AGENT_MESSAGE:
            raise ApiError(422, "invalid_message", f"1 to {MAX_AGENT_MESSAGE} characters")
        ticket, session_id = await self._live_session(who, ticket_id)
        holder = await self.takeover.holder(who.client_id, session_id)
        if holder != who.user_id:
            raise ApiError(409, "not_taken_over", "take the conversation over first")
        try:
            turn = await self.takeover.say(
                who.client_id,
                ticket.customer_id,
                session_id,
                stored_text=await self.scrub(text),
                live_text=text,
            )
        except UnknownSession:
            raise _unknown_session() from None
        return {"ticket_id": ticket_id, "turn": turn.model_dump(mode="json")}

    async def close(self, who: Identity, ticket_id: str) -> dict[str, Any]:
        ticket = await self._ticket(who, ticket_id)
        if ticket.session_id:
            await self.takeover.hand_back(who.client_id, ticket.session_id)
        closed = await self._set_status(who, ticket_id, TicketStatus.CLOSED)
        return _ticket_json(closed)

    # ------------------------------------------------------------ internals

    async def _tickets(self, client_id: str) -> list[Ticket]:
        try:
            return await self.admin.list_tickets(client_id)
        except PlatformError as exc:
            raise ApiError(502, "platform_unavailable", "the ticket queue is unavailable") from exc

    async def _ticket(self, who: Identity, ticket_id: str) -> Ticket:
        try:
            return await self.admin.get_client_ticket(who.client_id, ticket_id)
        except PlatformError as exc:
            if exc.status in (404, 422):  # not this tenant's, or not a ticket id at all
                raise ApiError(404, "unknown_ticket", "no such ticket for this tenant") from None
            raise ApiError(502, "platform_unavailable", "the ticket is unavailable") from exc

    async def _live_session(self, who: Identity, ticket_id: str) -> tuple[Ticket, str]:
        ticket = await self._ticket(who, ticket_id)
        if not ticket.session_id:
            raise _unknown_session()
        try:
            await self.sessions.load(who.client_id, ticket.customer_id, ticket.session_id)
        except (UnknownSession, ValueError):
            raise _unknown_session() from None
        return ticket, ticket.session_id

    async def _set_status(self, who: Identity, ticket_id: str, status: TicketStatus) -> Ticket:
        try:
            return await self.admin.update_ticket(who.client_id, ticket_id, status)
        except PlatformError as exc:
            raise ApiError(502, "platform_unavailable", "the ticket could not be updated") from exc


def _unknown_session() -> ApiError:
    return ApiError(404, "unknown_session", "the ticket's conversation has ended or expired")


def _ticket_json(ticket: Ticket) -> dict[str, Any]:
    return ticket.model_dump(mode="json")
