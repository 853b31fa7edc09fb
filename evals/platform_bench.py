"""Latency and throughput of the real platform service under concurrent reads and writes.

    python -m evals.platform_bench [--customers-per-client N] [--requests N]
                                   [--concurrency 1,8,32] [--seed N] [--json]

Starts `python -m app.platform serve` as a subprocess on a free loopback port over a temporary
SQLite file (random API keys, seeded by the service itself), waits for /healthz, and drives it
through the typed `PlatformClient`. At each concurrency level it runs three phases of
`--requests` calls each:

    read    get_shipment, get_order, list_orders, get_eta, get_fraud_score, get_return_window
    write   create_refund (tiny WRONG_ITEM amounts on delivered orders), create_ticket,
            send_notification, each under a fresh Idempotency-Key
    replay  the write phase's requests again under the same keys; the stored result must come
            back (same id), otherwise the call counts as an error

Customer, order, AWB and SKU ids come from `generate(seed, customers_per_client)`, which is
deterministic and is what the service seeds itself with. With `--json` the last line of output
is `{"read": {"c1": {"p50_ms", "p95_ms", "throughput_rps", "errors"}, ...}, "write": ...,
"replay": ...}`. The server is terminated at the end, also on error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx

from app.platform.client import CustomerRef, PlatformClient
from app.platform.contract import (
    DELIVERED_STATES,
    NotificationChannel,
    NotificationRequest,
    ReasonCode,
    RefundRequest,
    TicketPriority,
    TicketRequest,
)
from app.platform.dataset import OrderRecord, PlatformDataset
from app.platform.errors import PlatformError
from app.platform.seed import generate
from evals.common import format_table, percentile, print_json_last_line

REPO_ROOT = Path(__file__).resolve().parents[1]
PHASES = ("read", "write", "replay")
STARTUP_TIMEOUT_S = 90.0
WARMUP_REQUESTS = 20

# An operation returns the id of what it created (writes) or None (reads).
Operation = Callable[[PlatformClient], Awaitable[str | None]]


# ---------------------------------------------------------------- the server under test


@dataclass(frozen=True)
class Server:
    base_url: str
    api_key: str
    log_path: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def platform_server(workdir: Path, seed: int, customers_per_client: int) -> Iterator[Server]:
    """The real service in a child process; always terminated when the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "PLATFORM_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'platform.db'}",
        "PLATFORM_API_KEY": secrets.token_urlsafe(24),
        "PLATFORM_ADMIN_KEY": secrets.token_urlsafe(24),
    }
    env.pop("PLATFORM_FAULTS", None)  # measure the service, not injected faults
    command = [
        sys.executable,
        "-m",
        "app.platform",
        "serve",
        "--port",
        str(port),
        "--seed-if-empty",
        "--seed",
        str(seed),
        "--customers-per-client",
        str(customers_per_client),
    ]
    log_path = workdir / "server.log"
    # The log goes to a file, not a pipe: a full pipe would stall the server mid-benchmark.
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        server = Server(f"http://127.0.0.1:{port}", env["PLATFORM_API_KEY"], log_path)
        wait_until_healthy(server, process)
        yield server
    finally:
        stop(process)


def wait_until_healthy(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log_tail(server)}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not healthy after {STARTUP_TIMEOUT_S:.0f} s:\n{log_tail(server)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def log_tail(server: Server, lines: int = 30) -> str:
    try:
        return "\n".join(server.log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


# ---------------------------------------------------------------- workload


@dataclass(frozen=True)
class Target:
    who: CustomerRef
    order_id: str
    awb: str
    sku: str
    delivered: bool


def targets_from(dataset: PlatformDataset) -> list[Target]:
    """Orders with a shipment; `delivered` only where a WRONG_ITEM refund applies and no seeded
    refund already holds money back (a fully refunded order would answer 422)."""
    refunded = {r.order_id for r in dataset.refunds}
    return [
        Target(
            who=CustomerRef(order.client_id, order.customer_id),
            order_id=order.order_id,
            awb=order.shipments[0].awb,
            sku=order.items[0].sku,
            delivered=_is_delivered(order) and order.order_id not in refunded,
        )
        for order in dataset.orders
        if order.shipments
    ]


def _is_delivered(order: OrderRecord) -> bool:
    return any(s.status in DELIVERED_STATES for s in order.shipments)


def read_operations(targets: Sequence[Target], rng: random.Random, count: int) -> list[Operation]:
    kinds: tuple[Callable[[Target], Operation], ...] = (
        lambda t: lambda c: _none(c.get_shipment(t.who, t.awb)),
        lambda t: lambda c: _none(c.get_order(t.who, t.order_id)),
        lambda t: lambda c: _none(c.list_orders(t.who)),
        lambda t: lambda c: _none(c.get_eta(t.who, t.awb)),
        lambda t: lambda c: _none(c.get_fraud_score(t.who, t.order_id)),
        lambda t: lambda c: _none(c.get_return_window(t.who, t.sku)),
    )
    return [kinds[i % len(kinds)](rng.choice(targets)) for i in range(count)]


async def _none(call: Awaitable[object]) -> None:
    await call


def write_operations(
    targets: Sequence[Target], rng: random.Random, count: int, key_prefix: str
) -> list[Operation]:
    """Refunds, tickets and notifications in turn, each with its own Idempotency-Key. Refund
    amounts are cents so that hundreds of them never exhaust an order's refundable amount."""
    delivered = [t for t in targets if t.delivered]
    operations: list[Operation] = []
    for i in range(count):
        key = f"{key_prefix}-{i}"
        if i % 3 == 0:
            target = rng.choice(delivered)
            amount = Decimal(rng.randint(1, 99)) / 100
            operations.append(_refund(target, amount, key))
        elif i % 3 == 1:
            operations.append(_ticket(rng.choice(targets), key))
        else:
            operations.append(_notification(rng.choice(targets), key))
    return operations


def _refund(target: Target, amount: Decimal, key: str) -> Operation:
    request = RefundRequest(
        order_id=target.order_id, amount=amount, reason_code=ReasonCode.WRONG_ITEM
    )

    async def call(client: PlatformClient) -> str:
        return (await client.create_refund(target.who, request, idempotency_key=key)).refund_id

    return call


def _ticket(target: Target, key: str) -> Operation:
    request = TicketRequest(
        reason="benchmark",
        summary=f"Load test ticket {key}",
        priority=TicketPriority.LOW,
        order_id=target.order_id,
        decision_trace=["platform_bench"],
    )

    async def call(client: PlatformClient) -> str:
        return (await client.create_ticket(target.who, request, idempotency_key=key)).ticket_id

    return call


def _notification(target: Target, key: str) -> Operation:
    request = NotificationRequest(
        channel=NotificationChannel.EMAIL,
        subject="Your order",
        body=f"Update on {target.order_id}",
        order_id=target.order_id,
    )

    async def call(client: PlatformClient) -> str:
        sent = await client.send_notification(target.who, request, idempotency_key=key)
        return sent.notification_id

    return call


class ReplayMismatch(Exception):
    """A replayed write answered with a different record than the first call."""


def replay_operations(
    writes: Sequence[Operation], created: Sequence[str | None]
) -> list[Operation]:
    def replay(operation: Operation, expected: str) -> Operation:
        async def call(client: PlatformClient) -> str:
            got = await operation(client)
            if got != expected:
                raise ReplayMismatch(f"replay returned {got}, first call {expected}")
            return expected

        return call

    # A write that failed the first time has nothing stored to replay.
    return [replay(op, first) for op, first in zip(writes, created, strict=True) if first]


# ---------------------------------------------------------------- measuring


@dataclass
class PhaseResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    wall_s: float = 0.0
    created: list[str | None] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    def summary(self) -> dict[str, float | int]:
        latencies = self.latencies_ms or [0.0]  # an empty phase reports zeros
        return {
            "p50_ms": round(percentile(latencies, 50), 2),
            "p95_ms": round(percentile(latencies, 95), 2),
            "throughput_rps": round(self.count / self.wall_s, 1) if self.wall_s else 0.0,
            "errors": sum(self.errors.values()),
        }


async def run_phase(
    client: PlatformClient, operations: Sequence[Operation], concurrency: int
) -> PhaseResult:
    """`concurrency` workers take operations in order; every call is timed, failures included."""
    result = PhaseResult(created=[None] * len(operations))
    next_index = iter(range(len(operations)))

    async def worker() -> None:
        for index in next_index:  # a shared iterator: each index goes to exactly one worker
            started = time.perf_counter()
            try:
                result.created[index] = await operations[index](client)
            except PlatformError as exc:
                result.errors[exc.code] += 1
            except ReplayMismatch:
                result.errors["replay_mismatch"] += 1
            result.latencies_ms.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.wall_s = time.perf_counter() - started
    return result


Results = dict[str, dict[int, PhaseResult]]


async def benchmark(
    server: Server, dataset: PlatformDataset, requests: int, levels: Sequence[int], seed: int
) -> Results:
    rng = random.Random(seed)
    targets = targets_from(dataset)
    run_id = secrets.token_hex(4)
    results: Results = {phase: {} for phase in PHASES}
    # Keep a live connection per worker, so no call pays for a new TCP connection.
    pool = max(levels)
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
    transport = httpx.AsyncHTTPTransport(limits=limits)
    async with PlatformClient(
        server.base_url, server.api_key, timeout_s=30.0, transport=transport
    ) as client:
        await run_phase(client, read_operations(targets, rng, WARMUP_REQUESTS), 1)
        for level in levels:
            log(f"concurrency {level}: {requests} reads, writes and replays")
            reads = read_operations(targets, rng, requests)
            results["read"][level] = await run_phase(client, reads, level)
            writes = write_operations(targets, rng, requests, f"bench-{run_id}-c{level}")
            results["write"][level] = first = await run_phase(client, writes, level)
            replays = replay_operations(writes, first.created)
            results["replay"][level] = await run_phase(client, replays, level)
    return results


# ---------------------------------------------------------------- reporting


def report_rows(results: Results) -> list[list[object]]:
    rows: list[list[object]] = []
    for phase in PHASES:
        for level, result in results[phase].items():
            s = result.summary()
            rows.append(
                [
                    phase,
                    level,
                    result.count,
                    s["errors"],
                    s["p50_ms"],
                    s["p95_ms"],
                    s["throughput_rps"],
                ]
            )
    return rows


def report_json(results: Results) -> dict[str, dict[str, dict[str, float | int]]]:
    return {
        phase: {f"c{level}": result.summary() for level, result in results[phase].items()}
        for phase in PHASES
    }


def error_lines(results: Results) -> list[str]:
    return [
        f"{phase} c{level}: {code} x{n}"
        for phase in PHASES
        for level, result in results[phase].items()
        for code, n in sorted(result.errors.items())
    ]


def log(message: str) -> None:
    print(f"[platform_bench] {message}", file=sys.stderr, flush=True)


def parse_levels(text: str) -> list[int]:
    levels = [int(part) for part in text.split(",") if part.strip()]
    if not levels or any(level < 1 for level in levels):
        raise argparse.ArgumentTypeError("concurrency levels are positive integers, e.g. 1,8,32")
    return levels


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals.platform_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--customers-per-client", type=positive_int, default=50)
    parser.add_argument(
        "--requests",
        type=positive_int,
        default=300,
        help="calls per phase (read, write, replay) and concurrency level",
    )
    parser.add_argument("--concurrency", type=parse_levels, default=[1, 8, 32])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    args = parser.parse_args(argv)

    dataset = generate(seed=args.seed, customers_per_client=args.customers_per_client)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="platform-bench-") as tmp:
        log("starting the platform service")
        with platform_server(Path(tmp), args.seed, args.customers_per_client) as server:
            log(f"service up at {server.base_url} after {time.perf_counter() - started:.1f} s")
            results = asyncio.run(
                benchmark(server, dataset, args.requests, args.concurrency, args.seed)
            )
    log(f"done in {time.perf_counter() - started:.1f} s")
    headers = ["class", "concurrency", "count", "errors", "p50 ms", "p95 ms", "req/s"]
    print(format_table(headers, report_rows(results)))
    for line in error_lines(results):
        print(f"  error {line}")
    if args.json:
        print_json_last_line(report_json(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
