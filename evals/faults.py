"""Refund conversations over HTTP with platform faults injected: does the agent ever claim a
write the platform does not show, deny one it does, or write twice?

    python -m evals.faults [--url http://127.0.0.1:8000] [--platform-url URL] [--start-stack]
                           [--local] [--ray-address A] [--redis-url R] [--cases ...]
                           [--resolve-wait-s 45] [--json]

Each case takes a fresh seeded customer with an undelivered (lost) order the rules would
refund (fraud band not high, every parcel lost: so each case reaches a proposal), injects one
fault through the platform's admin API (`PUT /v1/admin/faults/{operationId}`), and runs "my order
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
  notification of its outcome reached the customer afterwards;
- `missing_writes`: a restart case (below) whose customer said yes ends with no refund.

Three cases restart the real Ray Serve Negotiation replica (evals/replica_restart.py: SIGKILL
of its worker process, then Serve's replacement is waited for): between the proposal and the
"yes" (`restart_before_yes`), and while the write is held by a hang shorter than the write
deadline (`restart_mid_write`, the write commits after the crash) or longer than it
(`restart_mid_write_past_deadline`, rolled back); once the held write is final and the fault
cleared, the conversation goes on with "yes", and exactly one refund must result (the new
replica resumes the same write, by its key). A case counts only if the replica really died and
a new one ran (and, mid-write, the write was in flight when it died). With `--local` (no Ray)
they are reported as not applicable, never as passes.

Loopback URLs only: it injects faults, so it is for a local stack, never a shared one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlparse

import httpx
from redis.asyncio import Redis

from app.api.auth import TokenService, load_secret
from app.config import AgentSettings
from app.platform.client import PlatformClient
from app.platform.contract import WRITE_DEADLINE_S, FaultSpec, FraudBand, ShipmentStatus
from app.sessions.write_leases import OrderWriteLeases
from evals.common import format_table, print_json_last_line
from evals.load import SeededCustomer, require_loopback, seeded_customers
from evals.replica_restart import ReplicaRestarter, Restart

CLAIMED = re.compile(r"has been approved|has now been approved|has been submitted", re.I)
DENIED = re.compile(r"did not go through|was not made|nothing has been changed", re.I)
# The customer's own request, outcome not known yet ("already being processed" is another
# session's request, whose outcome that session hears).
PROCESSING = re.compile(r"still being processed|may still be processed|can't tell yet", re.I)
# The totals that fail the run when not 0.
FAILURES = ("false_confirmations", "false_denials", "double_writes", "unresolved", "missing_writes")


@dataclass(frozen=True)
class Case:
    name: str
    faults: dict[str, FaultSpec]
    sessions: int = 1  # two: a second session asks for the same refund meanwhile
    # Kill the Negotiation replica "before_yes" (after the proposal) or "mid_write".
    restart: str | None = None


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
        Case("restart_before_yes", {}, restart="before_yes"),
        # Held past the crash, committed before the deadline: the new replica must find it.
        Case(
            "restart_mid_write",
            {"create_refund": FaultSpec(timeout_s=round(deadline_s * 0.6, 1))},
            restart="mid_write",
        ),
        Case("restart_mid_write_past_deadline", {"create_refund": hang}, restart="mid_write"),
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
    # Restart cases: the customer said yes, and no refund was made.
    missing_write: bool = False
    # Restart cases without Ray (--local): nothing to restart, neither passed nor failed.
    not_applicable: bool = False
    # Restart cases: what was killed and what replaced it, or why nothing was.
    restart: str = ""


def judge(
    case: str,
    replies: list[str],
    yeses: int,
    refunds: int,
    notified: bool,
    *,
    restart: Restart | None = None,
    restart_expected: bool = False,
    in_flight: bool = True,
) -> Outcome:
    """What the customer was told against what the platform shows (pure: unit-tested).

    A restart case (`restart_expected`) is exercised only if the replica really died and was
    replaced (mid-write: with the write `in_flight` then); its yes must leave one refund."""
    said = " ".join(replies)
    restarted = restart is not None and restart.happened and in_flight
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
        not_exercised=yeses == 0 or (restart_expected and not restarted),
        missing_write=restart_expected and restarted and yeses > 0 and refunds == 0,
        restart=("" if restart is None else restart.describe())
        + ("" if in_flight else "; the write was not in flight when the replica died"),
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


def _ask(order_id: str) -> str:
    return f"My order {order_id} never arrived, I would like a refund."


async def conversation(http: httpx.AsyncClient, token: str, order_id: str) -> tuple[list[str], int]:
    session, first, asks = await chat(http, token, None, _ask(order_id))
    if not asks:
        return [first], 0
    _, second, _ = await chat(http, token, session, "yes")
    return [first, second], 1


@dataclass
class Restarted:
    """A restart case's conversation: what was said, and what happened to the replica."""

    replies: list[str]
    yeses: int
    restart: Restart | None = None
    in_flight: bool = True


async def restart_conversation(
    case: Case,
    http: httpx.AsyncClient,
    token: str,
    customer: SeededCustomer,
    admin: PlatformClient,
    restarter: ReplicaRestarter,
    leases: OrderWriteLeases,
    deadline_s: float,
) -> Restarted:
    """Propose; kill the Negotiation replica before the yes, or while the yes's write is held;
    then go on with "yes" as a customer would after an error."""
    order_id = customer.lost_order_ids[0]
    session, first, asks = await chat(http, token, None, _ask(order_id))
    if not asks:
        return Restarted([first], 0)
    if case.restart == "before_yes":
        restart = await asyncio.to_thread(restarter.kill_and_wait)
        _, second, _ = await chat(http, token, session, "yes")
        return Restarted([first, second], 1, restart)
    before = {r.refund_id for r in await admin.list_order_refunds(customer.who, order_id)}
    yes = asyncio.create_task(chat(http, token, session, "yes"))
    # The lease is taken just before the write is sent: then it is on its way, and held by
    # the hang fault (the platform commits, or rolls back, only when the hang ends).
    in_flight = await _lease_taken(leases, customer.who.client_id, order_id, yes)
    sent = time.monotonic()
    if in_flight:
        await asyncio.sleep(1.0)  # the request reaches the platform
        committed = [
            r
            for r in await admin.list_order_refunds(customer.who, order_id)
            if r.refund_id not in before
        ]
        in_flight = not committed and not yes.done()
    restart = await asyncio.to_thread(restarter.kill_and_wait)
    _, second, _ = await yes  # the turn the crash cut short
    # The outage is over and the held request is final (committed or rolled back) when the
    # customer goes on: the new replica must resume that write (same key), never add one.
    await admin.clear_faults()
    await asyncio.sleep(max(0.0, sent + deadline_s + 1 - time.monotonic()))
    _, third, _ = await chat(http, token, session, "yes")
    return Restarted([first, second, third], 1, restart, in_flight)


async def _lease_taken(
    leases: OrderWriteLeases, client_id: str, order_id: str, turn: asyncio.Task[Any]
) -> bool:
    deadline = asyncio.get_running_loop().time() + 120.0
    while asyncio.get_running_loop().time() < deadline and not turn.done():
        if await leases.holder(client_id, order_id) is not None:
            return True
        await asyncio.sleep(0.1)
    return False


async def run_case(
    case: Case,
    customer: SeededCustomer | None,
    http: httpx.AsyncClient,
    admin: PlatformClient,
    tokens: TokenService,
    resolve_wait_s: float,
    deadline_s: float,
    restarts: Restarts | None = None,
) -> Outcome:
    if case.restart and restarts is None:  # --local: no Ray Serve replica to restart
        return Outcome(case.name, [], 0, 0, False, not_applicable=True, restart="no Ray")
    if case.restart and restarts is not None and restarts.error:  # Ray could not be joined
        return Outcome(case.name, [], 0, 0, False, not_exercised=True, restart=restarts.error)
    assert customer is not None
    order_id = customer.lost_order_ids[0]
    before = {r.refund_id for r in await admin.list_order_refunds(customer.who, order_id)}
    notes_before = {n.notification_id for n in await admin.list_notifications(customer.who)}
    token = tokens.issue(customer.who.customer_id, customer.who.client_id)
    for operation, spec in case.faults.items():
        await admin.set_fault(operation, spec)
    restarted: Restarted | None = None
    try:
        if case.restart and restarts is not None:
            restarted = await restart_conversation(
                case, http, token, customer, admin, restarts.restarter, restarts.leases, deadline_s
            )
            runs = [(restarted.replies, restarted.yeses)]
        else:
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
    return judge(
        case.name,
        replies,
        sum(y for _, y in runs),
        len(refunds),
        notified,
        restart=restarted.restart if restarted else None,
        restart_expected=bool(case.restart),
        in_flight=restarted.in_flight if restarted else True,
    )


@dataclass
class Restarts:
    """How restart cases reach the stack: its Ray cluster and its Redis (the write leases)."""

    restarter: ReplicaRestarter
    leases: OrderWriteLeases
    error: str | None = None  # the cluster could not be joined: not exercised, with this


def join_stack(url: str, ray_address: str | None, redis_url: str, prefix: str) -> Restarts:
    restarter = ReplicaRestarter(urlparse(url).port or 80, address=ray_address)
    leases = OrderWriteLeases(Redis.from_url(redis_url), prefix=prefix)
    try:
        restarter.connect()
        if not restarter.running():
            raise RuntimeError(f"no running {restarter.deployment} replica")
    except Exception as exc:  # reported per case: a restart case never passes without Ray
        return Restarts(restarter, leases, f"Ray stack not joined: {exc}")
    return Restarts(restarter, leases)


async def proposable(
    admin: PlatformClient, customers: list[SeededCustomer], wanted: int
) -> list[SeededCustomer]:
    """Customers whose lost order the rules would offer a refund on (fraud band not high, every
    parcel lost), so that each case reaches a proposal and measures the write under its fault."""
    found: list[SeededCustomer] = []
    for customer in customers:
        order_id = customer.lost_order_ids[0]
        order = await admin.get_order(customer.who, order_id)
        score = await admin.get_fraud_score(customer.who, order_id)
        lost = {s.status for s in order.shipments} == {ShipmentStatus.LOST}
        if lost and score.band is not FraudBand.HIGH and order.refundable > 0:
            found.append(customer)
            if len(found) == wanted:
                break
    return found


async def run(
    args: argparse.Namespace,
    url: str,
    platform_url: str,
    secret: str,
    deadline_s: float,
    restarts: Restarts | None,
) -> int:
    require_loopback(url)
    require_loopback(platform_url)
    settings = AgentSettings.load({})
    candidates = [c for c in await seeded_customers(platform_url, limit=500) if c.lost_order_ids]
    planned = [c for c in cases(deadline_s) if not args.cases or c.name in args.cases]
    tokens = TokenService(secret)
    admin_key = os.environ.get("PLATFORM_ADMIN_KEY", "dev-platform-admin-key")
    outcomes: list[Outcome] = []
    async with (
        PlatformClient(platform_url, settings.platform_api_key, admin_key=admin_key) as admin,
        httpx.AsyncClient(base_url=url, timeout=180.0) as http,
    ):
        # Without Ray the restart cases need no customer (not applicable).
        runnable = [c for c in planned if not (c.restart and restarts is None)]
        found = iter(await proposable(admin, candidates, len(runnable)))
        for case in planned:
            customer = None if case not in runnable else next(found, None)
            if case in runnable and customer is None:
                raise SystemExit("not enough seeded customers with a lost order to refund")
            print(f"[faults] {case.name}", file=sys.stderr, flush=True)
            outcomes.append(
                await run_case(
                    case, customer, http, admin, tokens, args.resolve_wait_s, deadline_s, restarts
                )
            )
    if restarts is not None:
        await restarts.leases.aclose()
    judged = [o for o in outcomes if not o.not_applicable]
    totals = {
        "false_confirmations": sum(o.false_confirmation for o in judged),
        "false_denials": sum(o.false_denial for o in judged),
        "double_writes": sum(o.double_write for o in judged),
        "unresolved": sum(o.unresolved for o in judged),
        "missing_writes": sum(o.missing_write for o in judged),
        "not_exercised": sum(o.not_exercised for o in judged),
        "not_applicable": sum(o.not_applicable for o in outcomes),
    }
    rows = [
        [o.case, "n/a" if o.not_applicable else ("no" if o.not_exercised else "yes"), o.yeses,
         o.refunds, o.notified, o.false_confirmation, o.false_denial, o.double_write,
         o.unresolved, o.missing_write]
        for o in outcomes
    ]  # fmt: skip
    print(format_table(
        ["case", "exercised", "yes", "refunds", "notified", "false conf.", "false denial",
         "double", "unresolved", "missing"],
        rows,
    ))  # fmt: skip
    for o in outcomes:
        if o.restart:
            print(f"  {o.case}: {o.restart}", file=sys.stderr)
    if args.json:
        print_json_last_line({**totals, "cases": [asdict(o) for o in outcomes]})
    else:
        print(
            "faults: "
            + ", ".join(f"{k} {v}" for k, v in totals.items())
            + f" ({len(outcomes)} cases)"
        )
    failures = sum(totals[k] for k in FAILURES)
    if totals["not_exercised"]:
        # Zeros from cases that never reached a write are no evidence: fail loudly.
        print(
            f"faults: {totals['not_exercised']} case(s) not exercised (see --json)",
            file=sys.stderr,
        )
        return 1
    return 1 if failures else 0


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
    parser.add_argument(
        "--ray-address", default=None,
        help="the stack's Ray cluster, for the restart cases (--url; default RAY_ADDRESS, auto)",
    )  # fmt: skip
    parser.add_argument(
        "--redis-url", default=None,
        help="the stack's Redis, where the write leases are (--url; default REDIS_URL, :6390)",
    )  # fmt: skip
    parser.add_argument("--cases", nargs="*", help="only these cases (default: all)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    deadline_s = args.write_deadline_s
    restarts: Restarts | None = None
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
        if not args.local:  # the real Serve stack: its Negotiation replica can be restarted
            redis_url = args.redis_url or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6390/0"
            address = args.ray_address or os.environ.get("RAY_ADDRESS")
            restarts = join_stack(url, address, redis_url, AgentSettings.load({}).key_prefix)
        return asyncio.run(run(args, url, platform_url, secret, deadline_s, restarts))


if __name__ == "__main__":
    sys.exit(main())
