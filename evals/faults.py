"""Refund conversations over HTTP with platform faults injected: does the agent ever claim a
write the platform does not show, deny one it does, or write twice?

    python -m evals.faults [--url http://127.0.0.1:8000] [--platform-url URL] [--start-stack]
                           [--local] [--resolve-wait-s 45] [--json]

Each case takes a fresh seeded customer with an undelivered (lost) order, injects one fault
through the platform's admin API (`PUT /v1/admin/faults/{operationId}`), and runs "my order
never arrived, refund it" then "yes" through the chat API (dev tokens minted with the
service's secret). The faults are cleared, the platform's write deadline is waited out (plus
`--resolve-wait-s` for the background resolver), and the platform is read:

- `false_confirmations`: the reply says the refund was approved or submitted, and the
  platform shows no refund on the order;
- `false_denials`: the reply says it did not go through (or nothing was changed), and the
  platform shows a refund;
- `double_writes`: more than one refund on the order (every case asks for the same refund,
  the two-session case twice at once);
- `unresolved`: a reply said the customer's request is still being processed, and no
  notification of its outcome reached the customer afterwards.

Loopback URLs only: it injects faults, so it is for a local stack, never a shared one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from app.api.auth import TokenService, load_secret
from app.config import AgentSettings
from app.platform.client import PlatformClient
from app.platform.contract import WRITE_DEADLINE_S, FaultSpec
from evals.common import format_table, print_json_last_line
from evals.load import SeededCustomer, require_loopback, seeded_customers

CLAIMED = re.compile(r"has been approved|has now been approved|has been submitted", re.I)
DENIED = re.compile(r"did not go through|was not made|nothing has been changed", re.I)
# The customer's own request, outcome not known yet ("already being processed" is another
# session's request, whose outcome that session hears).
PROCESSING = re.compile(r"still being processed|may still be processed|can't tell yet", re.I)


@dataclass(frozen=True)
class Case:
    name: str
    faults: dict[str, FaultSpec]
    sessions: int = 1  # two: a second session asks for the same refund meanwhile


def cases(deadline_s: float = WRITE_DEADLINE_S) -> tuple[Case, ...]:
    """The fault cases; hangs outlast the platform's write deadline `deadline_s`."""
    hang = FaultSpec(timeout_s=deadline_s + 2)
    return (
        Case("none", {}),
        Case("5xx_first_2", {"create_refund": FaultSpec(fail_first=2)}),
        Case("5xx_always", {"create_refund": FaultSpec(fail_first=1000)}),
        Case("response_lost_1", {"create_refund": FaultSpec(lose_response_first=1)}),
        Case("response_lost_always", {"create_refund": FaultSpec(lose_response_first=1000)}),
        Case(
            "lost_and_lookup_down",
            {
                "create_refund": FaultSpec(lose_response_first=1000),
                "get_write": FaultSpec(fail_first=1000),
            },
        ),
        Case("hang_past_deadline", {"create_refund": hang}),
        Case("hang_two_sessions", {"create_refund": hang}, 2),
        Case(
            "pending_then_reject",
            {"create_refund": FaultSpec(pending_then_reject=True, settle_after_s=3.0)},
        ),
    )


CASES = cases()


@dataclass
class Outcome:
    case: str
    replies: list[str]
    yeses: int
    refunds: int
    notified: bool
    false_confirmation: bool = False
    false_denial: bool = False
    double_write: bool = False
    unresolved: bool = False
    # No proposal was reached, so no "yes" was sent and no write was tried: the case measured
    # nothing about writes under its fault, and must not be read as a pass.
    not_exercised: bool = False


def judge(case: str, replies: list[str], yeses: int, refunds: int, notified: bool) -> Outcome:
    """What the customer was told against what the platform shows (pure: unit-tested)."""
    said = " ".join(replies)
    return Outcome(
        case=case,
        replies=replies,
        yeses=yeses,
        refunds=refunds,
        notified=notified,
        false_confirmation=bool(CLAIMED.search(said)) and refunds == 0,
        false_denial=bool(DENIED.search(said)) and refunds > 0,
        # Every case asks for one and the same refund (twice in the two-session case).
        double_write=refunds > 1,
        # Told "still being processed", and the outcome never reached them afterwards.
        unresolved=bool(PROCESSING.search(said)) and not notified,
        not_exercised=yeses == 0,
    )


async def chat(
    http: httpx.AsyncClient, token: str, session: str | None, message: str
) -> tuple[str | None, str, bool]:
    """One turn: (session id, the text the customer read, whether a confirmation is asked)."""
    body: dict[str, Any] = {"message": message, **({"session_id": session} if session else {})}
    text, asks = [], False
    async with http.stream(
        "POST", "/v1/chat", json=body, headers={"Authorization": f"Bearer {token}"}
    ) as reply:
        session = reply.headers.get("X-Session-Id", session)
        event = ""
        async for line in reply.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                if event == "token":
                    text.append(str(data.get("text", "")))
                elif event == "error":
                    text.append(" " + str(data.get("message", "")))
                elif event == "confirmation_required":
                    asks = True
    return session, "".join(text), asks


async def conversation(http: httpx.AsyncClient, token: str, order_id: str) -> tuple[list[str], int]:
    session, first, asks = await chat(
        http, token, None, f"My order {order_id} never arrived, I would like a refund."
    )
    if not asks:
        return [first], 0
    _, second, _ = await chat(http, token, session, "yes")
    return [first, second], 1


async def run_case(
    case: Case,
    customer: SeededCustomer,
    http: httpx.AsyncClient,
    admin: PlatformClient,
    tokens: TokenService,
    resolve_wait_s: float,
    deadline_s: float,
) -> Outcome:
    order_id = customer.lost_order_ids[0]
    before = {r.refund_id for r in await admin.list_order_refunds(customer.who, order_id)}
    notes_before = {n.notification_id for n in await admin.list_notifications(customer.who)}
    token = tokens.issue(customer.who.customer_id, customer.who.client_id)
    for operation, spec in case.faults.items():
        await admin.set_fault(operation, spec)
    try:
        runs = await asyncio.gather(
            *(conversation(http, token, order_id) for _ in range(case.sessions))
        )
    finally:
        await admin.clear_faults()
    # Past the write deadline of anything still held, then the resolver's turn.
    await asyncio.sleep(deadline_s + 1 + resolve_wait_s)
    refunds = [
        r
        for r in await admin.list_order_refunds(customer.who, order_id)
        if r.refund_id not in before
    ]
    notified = any(
        n.notification_id not in notes_before and n.order_id == order_id
        for n in await admin.list_notifications(customer.who)
    )
    replies = [text for texts, _ in runs for text in texts]
    return judge(case.name, replies, sum(y for _, y in runs), len(refunds), notified)


async def run(
    args: argparse.Namespace, url: str, platform_url: str, secret: str, deadline_s: float
) -> int:
    require_loopback(url)
    require_loopback(platform_url)
    settings = AgentSettings.load({})
    customers = [c for c in await seeded_customers(platform_url, limit=500) if c.lost_order_ids]
    planned = cases(deadline_s)
    if len(customers) < len(planned):
        raise SystemExit("not enough seeded customers with a lost order")
    tokens = TokenService(secret)
    admin_key = os.environ.get("PLATFORM_ADMIN_KEY", "dev-platform-admin-key")
    outcomes: list[Outcome] = []
    async with (
        PlatformClient(platform_url, settings.platform_api_key, admin_key=admin_key) as admin,
        httpx.AsyncClient(base_url=url, timeout=180.0) as http,
    ):
        for case, customer in zip(planned, customers, strict=False):
            print(f"[faults] {case.name}", file=sys.stderr, flush=True)
            outcomes.append(
                await run_case(case, customer, http, admin, tokens, args.resolve_wait_s, deadline_s)
            )
    totals = {
        "false_confirmations": sum(o.false_confirmation for o in outcomes),
        "false_denials": sum(o.false_denial for o in outcomes),
        "double_writes": sum(o.double_write for o in outcomes),
        "unresolved": sum(o.unresolved for o in outcomes),
        "not_exercised": sum(o.not_exercised for o in outcomes),
    }
    rows = [
        [o.case, o.yeses, o.refunds, o.notified, o.false_confirmation, o.false_denial,
         o.double_write, o.unresolved]
        for o in outcomes
    ]  # fmt: skip
    print(format_table(
        ["case", "yes", "refunds", "notified", "false conf.", "false denial", "double",
         "unresolved"],
        rows,
    ))  # fmt: skip
    if args.json:
        print_json_last_line({**totals, "cases": [asdict(o) for o in outcomes]})
    else:
        print(
            "faults: "
            + ", ".join(f"{k} {v}" for k, v in totals.items())
            + f" ({len(outcomes)} cases)"
        )
    if totals["not_exercised"]:
        # Zeros from cases that never reached a write are no evidence: fail loudly.
        print(
            f"faults: {totals['not_exercised']} case(s) never reached a proposal (see --json)",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--platform-url", default=None, help="default: PLATFORM_URL or :8100")
    parser.add_argument("--start-stack", action="store_true", help="start a private stack first")
    parser.add_argument(
        "--local", action="store_true",
        help="an in-process stack instead (chat API, Redis, platform; model fleets off)",
    )  # fmt: skip
    parser.add_argument(
        "--write-deadline-s", type=float, default=WRITE_DEADLINE_S,
        help="the platform's write deadline (--local sets its own, 4 s)",
    )  # fmt: skip
    parser.add_argument(
        "--resolve-wait-s", type=float, default=45.0,
        help="time for the background resolver (OSA_NEGOTIATION_SETTLEMENT_POLL_S, 30 s)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    deadline_s = args.write_deadline_s
    with ExitStack() as stack:
        if args.local:
            from evals.fault_stack import local_stack

            local = stack.enter_context(local_stack())
            url, platform_url, secret = local.url, local.platform_url, local.jwt_secret
            deadline_s = local.write_deadline_s
            args.resolve_wait_s = min(args.resolve_wait_s, 8.0)  # its resolver polls every 2 s
        elif args.start_stack:
            from evals.service_stack import local_service

            service = stack.enter_context(local_service())
            url, platform_url, secret = service.url, service.platform_url, service.jwt_secret
        else:
            url = args.url.rstrip("/")
            platform_url = args.platform_url or os.environ.get(
                "PLATFORM_URL", "http://127.0.0.1:8100"
            )
            secret = os.environ.get("OSA_JWT_SECRET") or load_secret()
        return asyncio.run(run(args, url, platform_url, secret, deadline_s))


if __name__ == "__main__":
    sys.exit(main())
