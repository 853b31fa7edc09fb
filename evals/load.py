"""Load benchmark: the running service over HTTP, at rising concurrency, against the monolith.

    python -m evals.load [--url http://127.0.0.1:8000] [--concurrency 1,2,4] [--duration-s 60]
                         [--max-turns N] [--mix full|tracking] [--no-baseline] [--start-stack]
                         [--front-only] [--json]

Each virtual user runs multi-turn sessions of seeded customers (dev tokens minted with the
service's secret: OSA_JWT_SECRET or var/dev-jwt-secret). `--mix full` (the default): 75%
tracking, 20% policy, 5% negotiation sessions of two turns each, so messages follow the same
mix. `--mix tracking`: the fast path only (tracking questions about the customer's own active
orders, answered from one read tool and a template, no model call), e.g.

    python -m evals.load --mix tracking --concurrency 1,8,32,50,64 --no-baseline --json

A level ends after `--duration-s` or `--max-turns` turns (default: 40, or 6 per concurrent
session when that is more), whichever comes first. Reported per level: throughput (turns/s),
end-to-end p50/p95/p99, TTFT p50/p95 (first streamed token, client side), errors, the share of
turns answered without a model call (from the traces), estimated cost per turn (the service's
own `osa_turn_cost_usd`, from its `/metrics`), the CPU time the service's processes spent per
turn and the cores they kept busy (processes carrying the run's OSA_RUN_ID: `--start-stack`
sets one, `make run` exports one; pass it as `--service-run-id`), the 1-minute load average,
and a per-phase breakdown read back from the turn traces (guardrail, hydration, routing,
tools, ttft, total, and `outside`: the client's end to end less the trace's total, i.e. the
proxy, queueing before the turn and the stream back) with the phase that costs most named as
the bottleneck. (`tools` counts timed tool events; the fast path's one read is inside
`worker`.) One unmeasured session of each kind warms both designs up first (`--no-warmup` to
skip).

The baseline is the design the case study argues against: every message is one LLM call whose
prompt holds all 14 tool schemas, the customer's context and the history, sent straight to the
fleet (`/llm/v1`, `tracking-fleet`), same messages, same concurrency; its prompt tokens, TTFT,
end to end and cost (the same price table) are compared with the agent's as ratios.
Loopback URLs only: this is a benchmark of a local stack, not a load generator for others.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from app.api.auth import TokenService, load_secret
from app.llm.client import Usage
from app.observability.prices import load_price_table
from app.platform.client import CustomerRef, PlatformClient
from app.platform.contract import ShipmentStatus
from app.sessions.hydration import HydratedContext
from app.sessions.prompt import PromptAssembler
from app.tools import ToolExecutor
from app.tools.definitions import TOOLS, narrowing_for
from app.tools.spec import AgentTier, ToolContext
from evals.common import format_table, percentile, print_json_last_line

RATIO_KEYS = (
    "prompt_tokens_per_turn",
    "ttft_p50_ms",
    "ttft_p95_ms",
    "e2e_p95_ms",
    "cost_per_turn_usd",
)
MIX = (("tracking", 0.75), ("policy", 0.20), ("negotiation", 0.05))
MIXES = {"full": MIX, "tracking": (("fast", 1.0),)}
# Phases read from the turn traces, in the order a turn runs them.
TRACE_PHASES = ("guardrail", "hydration", "routing", "tools", "ttft", "total")
# Candidates for the bottleneck: parts of a turn that do not contain one another (ttft and
# total contain the rest; `worker` is ttft less the phases before and inside the worker).
BOTTLENECK_PHASES = ("outside", "guardrail", "hydration", "routing", "tools", "worker")
TRACE_WAIT_S = 180.0
TRACE_IDLE_S = 10.0
# How a model call shows in a turn's decisions (app/agents/worker_turn.py): a turn without one
# was answered without the model (the fast path, or a template from a tool's output).
MODEL_DECISION = "model: "
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
ON_THE_WAY = frozenset(
    {ShipmentStatus.LABEL_CREATED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY}
)
FAST_SESSION_TURNS = 4
TURN_TIMEOUT_S = 120.0
MAX_CONCURRENCY = 256
MONOLITH_MAX_TOKENS = 96
MONOLITH_MODEL = "tracking-fleet"
MONOLITH_INSTRUCTIONS = (
    "You are the customer support assistant of an online shop. You can track shipments, "
    "answer return and refund policy questions, start returns and refunds, and hand the "
    "conversation to a human. Decide which tool to call, if any, and answer the customer "
    'briefly. To call a tool, reply with JSON {"tool": NAME, "arguments": {...}}.'
)
POLICY_QUESTIONS = (
    "What is your return window for electronics?",
    "Can I return an item I bought on sale?",
    "How long does a refund take to reach my card?",
    "Do I have to pay for return shipping?",
    "What items cannot be returned?",
    "How do refunds work for Gold members?",
)
SECOND_TURN = {
    "tracking": ("When will it arrive?", "Why is it taking so long?", "Is it delayed?"),
    # Follow-ups the fast path answers from the order named in the first turn.
    "fast": ("When will it arrive?", "Where is it now?", "What's the status of that order?"),
    "policy": ("Does that apply to my orders too?", "And do I need the original packaging?"),
    "negotiation": ("No, not now, thanks.",),
}


@dataclass(frozen=True)
class SeededCustomer:
    who: CustomerRef
    order_ids: tuple[str, ...]
    lost_order_ids: tuple[str, ...]
    active_order_ids: tuple[str, ...] = ()  # a shipment still on its way (in the context block)


@dataclass
class TurnSample:
    kind: str
    ttft_s: float | None
    e2e_s: float
    ok: bool
    prompt_tokens: int = 0
    cost_usd: float = 0.0
    model_calls: int | None = None  # from the trace: model calls the turn made
    # Where the turn's trace is: (client id, session id, index of the turn in its session).
    trace_key: tuple[str, str, int] | None = None
    phases_ms: dict[str, float] | None = None  # from the trace, filled in after the level


@dataclass
class LevelResult:
    design: str
    concurrency: int
    wall_s: float
    samples: list[TurnSample] = field(default_factory=list)
    cost_per_turn: float | None = None
    prompt_tokens_per_turn: float | None = None
    loadavg_1m: float | None = None
    service_cpu_s: float | None = None  # CPU the service's processes used during the level
    service_cpu_by_process: dict[str, float] | None = None

    def summary(self) -> dict[str, Any]:
        ttfts = [s.ttft_s for s in self.samples if s.ok and s.ttft_s is not None]
        e2es = [s.e2e_s for s in self.samples if s.ok]
        n = len(self.samples)
        errors = sum(not s.ok for s in self.samples)
        phases = phase_breakdown(self.samples)
        return {
            "design": self.design,
            "concurrency": self.concurrency,
            "turns": n,
            "throughput_tps": round(n / self.wall_s, 3) if self.wall_s else None,
            "e2e_p50_ms": _ms(e2es, 50),
            "e2e_p95_ms": _ms(e2es, 95),
            "e2e_p99_ms": _ms(e2es, 99),
            "ttft_p50_ms": _ms(ttfts, 50),
            "ttft_p95_ms": _ms(ttfts, 95),
            "errors": errors,
            "error_rate": round(errors / n, 4) if n else None,
            "model_free_share": _model_free_share(self.samples),
            "cost_per_turn_usd": self.cost_per_turn,
            "prompt_tokens_per_turn": self.prompt_tokens_per_turn,
            "loadavg_1m": self.loadavg_1m,
            "service_cpu_ms_per_turn": (
                round(self.service_cpu_s * 1000 / n, 1)
                if self.service_cpu_s is not None and n
                else None
            ),
            "service_cpu_ms_per_turn_by_process": (
                {
                    k: round(v * 1000 / n, 1)
                    for k, v in sorted(self.service_cpu_by_process.items(), key=lambda kv: -kv[1])
                    if v > 0
                }
                if self.service_cpu_by_process is not None and n
                else None
            ),
            "service_cores_busy": (
                round(self.service_cpu_s / self.wall_s, 2)
                if self.service_cpu_s is not None and self.wall_s
                else None
            ),
            "phases_ms": phases,
            "bottleneck": bottleneck(phases),
        }


def _model_free_share(samples: Sequence[TurnSample]) -> float | None:
    """Of the turns whose trace was found, the share answered without a model call."""
    known = [s.model_calls for s in samples if s.model_calls is not None]
    return round(sum(c == 0 for c in known) / len(known), 3) if known else None


def _ms(values: Sequence[float], q: float) -> float | None:
    return round(percentile(values, q) * 1000, 1) if values else None


def trace_phases(latency_ms: dict[str, float], e2e_s: float) -> dict[str, float]:
    """One turn's phases from its trace's latency breakdown, plus the derived ones: `worker`
    (time to first token not spent in the phases before it or in tools) and `outside` (the
    client's end to end less the trace's total)."""
    phases = {p: float(latency_ms[p]) for p in TRACE_PHASES if p in latency_ms}
    if "ttft" in phases:
        before = sum(phases.get(p, 0.0) for p in ("guardrail", "hydration", "routing", "tools"))
        phases["worker"] = max(0.0, phases["ttft"] - before)
    if "total" in phases:
        phases["outside"] = max(0.0, e2e_s * 1000 - phases["total"])
    return phases


def phase_breakdown(samples: Sequence[TurnSample]) -> dict[str, dict[str, float]] | None:
    """p50 / p95 / mean per phase over the turns whose trace was found; None when none was."""
    traced = [s.phases_ms for s in samples if s.ok and s.phases_ms]
    if not traced:
        return None
    out: dict[str, dict[str, float]] = {}
    for phase in (*TRACE_PHASES, "worker", "outside"):
        values = [t[phase] for t in traced if phase in t]
        if values:
            out[phase] = {
                "p50": round(percentile(values, 50), 1),
                "p95": round(percentile(values, 95), 1),
                "mean": round(sum(values) / len(values), 1),
                "turns": len(values),
            }
    return out


def bottleneck(phases: dict[str, dict[str, float]] | None) -> str | None:
    """The phase with the largest mean share of a turn (of the parts that do not overlap)."""
    if not phases:
        return None
    candidates = {p: phases[p]["mean"] for p in BOTTLENECK_PHASES if p in phases}
    return max(candidates, key=lambda p: candidates[p]) if candidates else None


def require_loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit(f"evals.load only drives a local stack; {host!r} is not loopback")


# ---------------------------------------------------------------- workload


async def seeded_customers(platform_url: str, limit: int = 60) -> list[SeededCustomer]:
    """Customers of the seeded platform that have orders (the admin export: read only)."""
    from app.config import AgentSettings

    settings = AgentSettings.load({})
    async with PlatformClient(
        platform_url, settings.platform_api_key, admin_key=_admin_key(), timeout_s=30.0
    ) as platform:
        dataset = await platform.export_dataset()
    by_customer: dict[str, list[Any]] = {}
    for order in dataset.orders:
        by_customer.setdefault(order.customer_id, []).append(order)
    found = []
    for customer in dataset.customers:
        orders = by_customer.get(customer.customer_id, [])
        if not orders or customer.client_id == "tau2_retail":
            continue
        lost = tuple(
            o.order_id for o in orders if any(s.status is ShipmentStatus.LOST for s in o.shipments)
        )
        on_the_way = tuple(
            o.order_id for o in orders if any(s.status in ON_THE_WAY for s in o.shipments)
        )
        found.append(
            SeededCustomer(
                CustomerRef(customer.client_id, customer.customer_id),
                tuple(o.order_id for o in orders),
                lost,
                on_the_way,
            )
        )
    random.Random(7).shuffle(found)
    return found[:limit]


def _admin_key() -> str:
    return os.environ.get("PLATFORM_ADMIN_KEY", "dev-platform-admin-key")


def session_script(kind: str, customer: SeededCustomer, rng: random.Random) -> list[str]:
    if kind == "fast":
        # Like the outside probe of issue 17: a customer asking about their own order on the
        # way, several times; every turn is one the fast path answers.
        order = rng.choice(customer.active_order_ids or customer.order_ids)
        first = rng.choice((f"Where is my order {order}?", f"Can you track {order} for me?"))
        follow = [rng.choice(SECOND_TURN["fast"]) for _ in range(FAST_SESSION_TURNS - 2)]
        return [first, *follow, f"Where is my order {order}?"]
    order = rng.choice(customer.order_ids)
    if kind == "tracking":
        first = rng.choice((f"Where is my order {order}?", f"Can you track {order} for me?"))
    elif kind == "policy":
        first = rng.choice(POLICY_QUESTIONS)
    else:
        disputed = rng.choice(customer.lost_order_ids or customer.order_ids)
        first = f"My order {disputed} never arrived, I would like a refund."
    return [first, rng.choice(SECOND_TURN[kind])]


def pick_kind(rng: random.Random, mix: Sequence[tuple[str, float]] = MIX) -> str:
    roll, total = rng.random(), 0.0
    for kind, weight in mix:
        total += weight
        if roll < total:
            return kind
    return mix[0][0]


# ---------------------------------------------------------------- the agent over HTTP


@dataclass(frozen=True)
class TurnReply:
    session_id: str | None
    ttft_s: float | None
    ok: bool  # HTTP 200 and a `done` event with ok true


async def agent_turn(
    http: httpx.AsyncClient, token: str, session_id: str | None, message: str
) -> TurnReply:
    """One streamed turn."""
    started = time.perf_counter()
    ttft: float | None = None
    ok = False
    body: dict[str, Any] = {"message": message}
    if session_id:
        body["session_id"] = session_id
    headers = {"Authorization": f"Bearer {token}"}
    async with http.stream("POST", "/v1/chat", json=body, headers=headers) as reply:
        if reply.status_code != 200:
            await reply.aread()
            return TurnReply(session_id, None, False)
        session_id = reply.headers.get("X-Session-Id", session_id)
        event = ""
        async for line in reply.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                if event == "token" and ttft is None and data.get("text"):
                    ttft = time.perf_counter() - started
                elif event == "error":
                    ok = False
                    break
                elif event == "done":
                    ok = bool(data.get("ok"))
    return TurnReply(session_id, ttft, ok)


# ---------------------------------------------------------------- the monolith


class Monolith:
    """One prompt with all 14 tools, the context and the history, straight to the fleet."""

    def __init__(self, llm_url: str, platform: PlatformClient) -> None:
        self.llm_url = llm_url
        self.platform = platform
        self.executor = ToolExecutor()
        self.assembler = PromptAssembler()
        self.prices = load_price_table()
        self._contexts: dict[str, HydratedContext] = {}

    async def context(self, who: CustomerRef) -> HydratedContext:
        cached = self._contexts.get(who.customer_id)
        if cached is None:
            ctx = ToolContext(who=who, session_id="load-monolith", platform=self.platform)
            result = await self.executor.execute(ctx, AgentTier.SYSTEM, "get_customer_context", {})
            if not result.ok:
                raise RuntimeError(f"no context for {who.customer_id}")
            cached = HydratedContext(context=result.output)  # type: ignore[union-attr]
            self._contexts[who.customer_id] = cached
        return cached

    async def turn(
        self, http: httpx.AsyncClient, who: CustomerRef, history: list[dict[str, str]], text: str
    ) -> TurnSample:
        hydrated = await self.context(who)
        system = self.assembler.system_prompt(
            MONOLITH_INSTRUCTIONS,
            hydrated,
            list(TOOLS.values()),
            narrowing_for(hydrated.context),
            None,
        )
        messages = [{"role": "system", "content": system}, *history]
        messages.append({"role": "user", "content": text})
        started = time.perf_counter()
        ttft: float | None = None
        usage = Usage()
        reply: list[str] = []
        body = {
            "model": MONOLITH_MODEL,
            "messages": messages,
            "max_tokens": MONOLITH_MAX_TOKENS,
            "temperature": 0.0,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        async with http.stream("POST", f"{self.llm_url}/chat/completions", json=body) as resp:
            if resp.status_code != 200:
                await resp.aread()
                return TurnSample("monolith", None, time.perf_counter() - started, False)
            async for line in resp.aiter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                chunk = json.loads(line[6:])
                for choice in chunk.get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content")
                    if piece:
                        ttft = ttft if ttft is not None else time.perf_counter() - started
                        reply.append(piece)
                if chunk.get("usage"):
                    usage = _usage(chunk["usage"])
        history.extend(
            [{"role": "user", "content": text}, {"role": "assistant", "content": "".join(reply)}]
        )
        return TurnSample(
            "monolith",
            ttft,
            time.perf_counter() - started,
            ok=bool(reply),
            prompt_tokens=usage.prompt_tokens,
            cost_usd=self.prices.cost(MONOLITH_MODEL, usage),
        )


def _usage(raw: dict[str, Any]) -> Usage:
    details = raw.get("prompt_tokens_details") or {}
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens") or 0),
        completion_tokens=int(raw.get("completion_tokens") or 0),
        cached_prompt_tokens=details.get("cached_tokens"),
    )


# ---------------------------------------------------------------- levels


@dataclass(frozen=True)
class Budget:
    duration_s: float
    max_turns: int


class _Gate:
    """Shared turn budget of one level: workers stop taking sessions once it is spent."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.deadline = time.monotonic() + budget.duration_s
        self.taken = 0

    def take(self) -> bool:
        if self.taken >= self.budget.max_turns or time.monotonic() >= self.deadline:
            return False
        self.taken += 1
        return True


async def run_agent_level(
    url: str,
    tokens: TokenService,
    customers: Sequence[SeededCustomer],
    concurrency: int,
    budget: Budget,
    mix: Sequence[tuple[str, float]] = MIX,
    run_id: str | None = None,
) -> LevelResult:
    gate = _Gate(budget)
    samples: list[TurnSample] = []
    limits = httpx.Limits(max_connections=concurrency + 2)
    timeout = httpx.Timeout(TURN_TIMEOUT_S, connect=10.0)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as http:
        cost_before, prompt_before, turns_before = await scrape_costs(http)

        async def user(index: int) -> None:
            rng = random.Random(1000 * concurrency + index)
            while True:
                customer = rng.choice(customers)
                kind = pick_kind(rng, mix)
                token = tokens.issue(customer.who.customer_id, customer.who.client_id)
                session_id: str | None = None
                for index, message in enumerate(session_script(kind, customer, rng)):
                    if not gate.take():
                        return
                    started = time.perf_counter()
                    try:
                        reply = await agent_turn(http, token, session_id, message)
                    except httpx.HTTPError:
                        reply = TurnReply(session_id, None, False)
                    session_id = reply.session_id
                    key = (customer.who.client_id, session_id, index) if session_id else None
                    samples.append(
                        TurnSample(
                            kind,
                            reply.ttft_s,
                            time.perf_counter() - started,
                            reply.ok,
                            trace_key=key,
                        )
                    )

        cpu_before = service_cpu_by_process(run_id)
        started = time.perf_counter()
        await asyncio.gather(*(user(i) for i in range(concurrency)))
        wall = time.perf_counter() - started
        cpu_after = service_cpu_by_process(run_id)
        cost_after, prompt_after, turns_after = await scrape_costs(http)
    result = LevelResult("agent", concurrency, wall, samples, loadavg_1m=_loadavg())
    if cpu_before is not None and cpu_after is not None:
        # A replica started during the level counts from zero; one stopped is left out.
        spent = {k: max(0.0, v - cpu_before.get(k, 0.0)) for k, v in cpu_after.items()}
        result.service_cpu_by_process = spent
        result.service_cpu_s = sum(spent.values())
    turns = turns_after - turns_before
    if turns > 0:
        result.cost_per_turn = round((cost_after - cost_before) / turns, 8)
        result.prompt_tokens_per_turn = round((prompt_after - prompt_before) / turns, 1)
    return result


async def warm_up(
    url: str,
    tokens: TokenService,
    monolith: Monolith | None,
    customers: Sequence[SeededCustomer],
    mix: Sequence[tuple[str, float]] = MIX,
) -> None:
    """One unmeasured session of each kind on both designs: the first policy search opens
    Milvus and loads the reranker, the first model call fills the engine's caches. A cold
    start is real, but it is a start-up figure, not a load figure."""
    rng = random.Random(0)
    timeout = httpx.Timeout(TURN_TIMEOUT_S * 2, connect=10.0)
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as http:
        for kind, _ in mix:
            customer = rng.choice(customers)
            token = tokens.issue(customer.who.customer_id, customer.who.client_id)
            session_id: str | None = None
            history: list[dict[str, str]] = []
            for message in session_script(kind, customer, rng):
                session_id = (await agent_turn(http, token, session_id, message)).session_id
                if monolith is not None:
                    await monolith.turn(http, customer.who, history, message)


async def run_monolith_level(
    llm_url: str,
    monolith: Monolith,
    customers: Sequence[SeededCustomer],
    concurrency: int,
    budget: Budget,
    mix: Sequence[tuple[str, float]] = MIX,
) -> LevelResult:
    gate = _Gate(budget)
    samples: list[TurnSample] = []
    timeout = httpx.Timeout(TURN_TIMEOUT_S, connect=10.0)
    async with httpx.AsyncClient(timeout=timeout) as http:

        async def user(index: int) -> None:
            # Same seeds as the agent's users: the same customers, kinds and messages.
            rng = random.Random(1000 * concurrency + index)
            while True:
                customer = rng.choice(customers)
                kind = pick_kind(rng, mix)
                history: list[dict[str, str]] = []
                for message in session_script(kind, customer, rng):
                    if not gate.take():
                        return
                    started = time.perf_counter()
                    try:
                        sample = await monolith.turn(http, customer.who, history, message)
                    except (httpx.HTTPError, RuntimeError):
                        sample = TurnSample(kind, None, time.perf_counter() - started, False)
                    samples.append(sample)

        started = time.perf_counter()
        await asyncio.gather(*(user(i) for i in range(concurrency)))
        wall = time.perf_counter() - started
    result = LevelResult("monolith", concurrency, wall, samples)
    done = [s for s in samples if s.ok]
    if done:
        result.cost_per_turn = round(sum(s.cost_usd for s in done) / len(done), 8)
        result.prompt_tokens_per_turn = round(sum(s.prompt_tokens for s in done) / len(done), 1)
    return result


def service_cpu_s(run_id: str | None) -> float | None:
    """CPU seconds (user + system) used so far by the processes of one service run: those whose
    environment carries OSA_RUN_ID=`run_id` (what `scripts/run.sh` and the private stack give
    every process they start, Ray's workers included), this client excepted. CPU time is what a
    turn costs whatever else shares the box, so it sizes a fleet where wall-clock rates cannot."""
    by_process = service_cpu_by_process(run_id)
    return None if by_process is None else sum(by_process.values())


def service_cpu_by_process(run_id: str | None) -> dict[str, float] | None:
    """`service_cpu_s` per kind of process (a Serve replica's deployment, the proxy, Ray's own
    daemons, the platform, Redis), summed over replicas of the same kind."""
    if not run_id:
        return None
    marker = f"OSA_RUN_ID={run_id}".encode()
    ticks = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for proc in Path("/proc").glob("[0-9]*"):
        if proc.name == str(os.getpid()):
            continue
        try:
            if marker not in (proc / "environ").read_bytes().split(b"\0"):
                continue
            stat = (proc / "stat").read_text()
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone, or not ours to read
        fields = stat.rsplit(")", 1)[1].split()
        kind = process_kind(command, stat[stat.index("(") + 1 : stat.rindex(")")])
        totals[kind] = totals.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return totals


_REPLICA = re.compile(r"ServeReplica:[\w-]+:(\w+)")


def process_kind(command: str, comm: str) -> str:
    """A short name for a process of the stack: `Guardrail` for any of its replicas."""
    if replica := _REPLICA.search(command):
        return replica.group(1)
    if command.startswith("ray::"):
        return command.split()[0][5:].split(".")[0]
    if "app.platform" in command:
        return "platform"
    if "valkey" in command or "redis" in comm:
        return "redis"
    return comm


def _loadavg() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


async def attach_traces(
    samples: Sequence[TurnSample], redis_url: str, key_prefix: str = "osa"
) -> int:
    """Fill each sample's `phases_ms` and `model_calls` from its turn's trace. Traces are
    written by the service after the answer, in the background: they are waited for while
    they keep arriving (TRACE_IDLE_S without a new one ends the wait, TRACE_WAIT_S at most). A
    session whose trace count differs from its turn count is left out rather than matched
    wrongly. Returns how many turns were matched."""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    from app.observability.trace_store import TraceStore
    from app.observability.traces import TurnTrace

    sessions: dict[tuple[str, str], list[TurnSample]] = {}
    for sample in samples:
        if sample.trace_key is not None:
            client_id, session_id, _ = sample.trace_key
            sessions.setdefault((client_id, session_id), []).append(sample)
    redis = Redis.from_url(redis_url)
    store = TraceStore(redis, key_prefix=key_prefix)
    found: dict[tuple[str, str], list[TurnTrace]] = {}
    try:
        deadline = time.monotonic() + TRACE_WAIT_S
        last_progress, seen = time.monotonic(), -1
        while True:
            for key, turns in sessions.items():
                if len(found.get(key, [])) < len(turns):
                    found[key] = await store.for_session(*key, limit=len(turns) + 1)
            count = sum(len(t) for t in found.values())
            now = time.monotonic()
            if count != seen:
                seen, last_progress = count, now
            complete = all(len(found.get(k, [])) >= len(t) for k, t in sessions.items())
            if complete or now >= deadline or now - last_progress >= TRACE_IDLE_S:
                break
            await asyncio.sleep(1.0)
    except (RedisError, OSError) as exc:
        print(f"[load] turn traces unreadable ({type(exc).__name__})", file=sys.stderr)
    finally:
        await redis.aclose()
    matched = 0
    for key, turns in sessions.items():
        traces = found.get(key, [])
        if len(traces) != len(turns):
            continue
        for sample in turns:
            trace = traces[sample.trace_key[2]]  # type: ignore[index]
            sample.phases_ms = trace_phases(trace.latency_ms, sample.e2e_s)
            sample.model_calls = sum(d.startswith(MODEL_DECISION) for d in trace.decisions)
            matched += 1
    return matched


_SAMPLE = re.compile(r"^(osa_turn_cost_usd_sum|osa_turn_cost_usd_count|osa_llm_prompt_tokens_total)"
                     r"\{[^}]*\} ([0-9.eE+-]+)$", re.M)  # fmt: skip


async def scrape_costs(http: httpx.AsyncClient) -> tuple[float, float, float]:
    """(cost sum, prompt tokens, turns with a cost) from the ingress's /metrics."""
    totals = {"osa_turn_cost_usd_sum": 0.0, "osa_turn_cost_usd_count": 0.0}
    totals["osa_llm_prompt_tokens_total"] = 0.0
    try:
        text = (await http.get("/metrics")).text
    except httpx.HTTPError:
        return 0.0, 0.0, 0.0
    for name, number in _SAMPLE.findall(text):
        totals[name] += float(number)
    return (
        totals["osa_turn_cost_usd_sum"],
        totals["osa_llm_prompt_tokens_total"],
        totals["osa_turn_cost_usd_count"],
    )


# ---------------------------------------------------------------- report


def ratios(agent: dict[str, Any], mono: dict[str, Any]) -> dict[str, float | None]:
    def ratio(key: str) -> float | None:
        a, m = agent.get(key), mono.get(key)
        return round(m / a, 2) if a and m is not None else None

    return {key: ratio(key) for key in RATIO_KEYS}


def print_report(summaries: list[dict[str, Any]], compare: list[dict[str, Any]]) -> None:
    headers = ["design", "conc", "turns", "turns/s", "e2e p50", "e2e p95", "e2e p99"]
    headers += ["TTFT p50", "TTFT p95", "errors", "no model", "$/turn", "prompt tok", "CPU ms/turn"]
    headers += ["cores", "load 1m"]
    rows = [
        [
            s["design"], s["concurrency"], s["turns"], s["throughput_tps"] or 0.0,
            _txt(s["e2e_p50_ms"]), _txt(s["e2e_p95_ms"]), _txt(s["e2e_p99_ms"]),
            _txt(s["ttft_p50_ms"]), _txt(s["ttft_p95_ms"]),
            f"{s['errors']} ({(s['error_rate'] or 0) * 100:.1f}%)",
            _pct(s["model_free_share"]), _usd(s["cost_per_turn_usd"]),
            _txt(s["prompt_tokens_per_turn"]), _txt(s["service_cpu_ms_per_turn"]),
            _txt(s["service_cores_busy"]), _txt(s["loadavg_1m"]),
        ]
        for s in summaries
    ]  # fmt: skip
    print(format_table(headers, rows))
    print_phases(summaries)
    if compare:
        print("\nmonolith / agent (x times the agent's figure):")
        rows = [[c["concurrency"], *(_txt(c[k]) for k in c if k != "concurrency")] for c in compare]
        print(format_table(["conc", "prompt tok", "TTFT p50", "TTFT p95", "e2e p95", "cost"], rows))


def print_phases(summaries: list[dict[str, Any]]) -> None:
    """Per-phase p50 / p95 (ms) from the traces, and the bottleneck, per agent level."""
    traced = [s for s in summaries if s.get("phases_ms")]
    if not traced:
        return
    phases = (*TRACE_PHASES, "worker", "outside")
    print("\nper phase, from the turn traces (p50 / p95 ms):")
    rows = [
        [
            s["concurrency"],
            *(
                f"{s['phases_ms'][p]['p50']:g} / {s['phases_ms'][p]['p95']:g}"
                if p in s["phases_ms"] else "-"
                for p in phases
            ),
            s["bottleneck"] or "-",
        ]
        for s in traced
    ]  # fmt: skip
    print(format_table(["conc", *phases, "bottleneck"], rows))
    for s in traced:
        split = s.get("service_cpu_ms_per_turn_by_process")
        if split:
            top = ", ".join(f"{k} {v:g}" for k, v in list(split.items())[:8])
            print(f"CPU ms per turn by process, concurrency {s['concurrency']}: {top}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _txt(value: Any) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _usd(value: float | None) -> str:
    return "-" if value is None else f"{value:.7f}"


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--platform-url", default=None, help="default: PLATFORM_URL or :8100")
    parser.add_argument("--concurrency", default="1,2,4")
    parser.add_argument("--duration-s", type=float, default=60.0, help="per level and design")
    parser.add_argument(
        "--max-turns",
        type=int,
        default=None,
        help="per level and design (default 40 or 6 per session)",
    )
    parser.add_argument("--mix", choices=sorted(MIXES), default="full")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--redis-url", default=None, help="where the turn traces are (REDIS_URL)")
    parser.add_argument(
        "--service-run-id",
        default=None,
        help="OSA_RUN_ID of the service's processes, for CPU per turn (set by --start-stack)",
    )
    parser.add_argument(
        "--no-warmup", dest="warmup", action="store_false", help="measure cold starts too"
    )
    parser.add_argument("--start-stack", action="store_true", help="start a private stack first")
    parser.add_argument(
        "--front-only",
        action="store_true",
        help="with --start-stack: no model fleets (the tracking mix needs none; no baseline)",
    )
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


def parse_levels(text: str) -> list[int]:
    levels = [int(c) for c in text.split(",") if c.strip()]
    if not levels or any(level < 1 or level > MAX_CONCURRENCY for level in levels):
        raise SystemExit(f"--concurrency: levels between 1 and {MAX_CONCURRENCY}, got {text!r}")
    return levels


def level_budget(args: argparse.Namespace, level: int) -> Budget:
    turns = args.max_turns if args.max_turns is not None else max(40, 6 * level)
    return Budget(args.duration_s, turns)


async def run(
    args: argparse.Namespace, url: str, platform_url: str, secret: str, redis_url: str
) -> int:
    require_loopback(url)
    require_loopback(platform_url)
    levels = parse_levels(args.concurrency)
    mix = MIXES[args.mix]
    customers = await seeded_customers(platform_url)
    if args.mix == "tracking":
        # The fast path answers about orders in the context block: customers with one on the way.
        customers = [c for c in customers if c.active_order_ids] or customers
    tokens = TokenService(secret)
    summaries: list[dict[str, Any]] = []
    compare: list[dict[str, Any]] = []
    from app.config import AgentSettings

    settings = AgentSettings.load({})
    async with PlatformClient(platform_url, settings.platform_api_key) as platform:
        monolith = Monolith(f"{url}/llm/v1", platform)
        if args.warmup:
            print("[load] warm-up (not measured)", file=sys.stderr, flush=True)
            await warm_up(url, tokens, None if args.no_baseline else monolith, customers, mix)
        for level in levels:
            budget = level_budget(args, level)
            print(f"[load] agent, concurrency {level}", file=sys.stderr, flush=True)
            result = await run_agent_level(
                url, tokens, customers, level, budget, mix, args.service_run_id
            )
            matched = await attach_traces(result.samples, redis_url)
            print(f"[load] {matched}/{len(result.samples)} turns matched to their traces",
                  file=sys.stderr, flush=True)  # fmt: skip
            agent = result.summary()
            summaries.append(agent)
            if args.no_baseline:
                continue
            print(f"[load] monolith, concurrency {level}", file=sys.stderr, flush=True)
            mono = (
                await run_monolith_level(f"{url}/llm/v1", monolith, customers, level, budget, mix)
            ).summary()
            summaries.append(mono)
            compare.append({"concurrency": level, **ratios(agent, mono)})
    print_report(summaries, compare)
    if args.json:
        print_json_last_line({"levels": summaries, "ratios": compare})
    else:
        worst = max((s["error_rate"] or 0) for s in summaries)
        print(f"load: {len(levels)} levels, max error rate {worst * 100:.1f}%")
    return 0


READY_WAIT_S = 300.0


def main(argv: Sequence[str] | None = None) -> int:
    from app.observability.trace_store import LOCAL_REDIS_URL

    args = parse_args(argv)
    if args.front_only:
        args.no_baseline = True  # the baseline is a model call per message
    with ExitStack() as stack:
        if args.start_stack:
            from evals.service_stack import local_service

            service = stack.enter_context(local_service(front_only=args.front_only))
            url, platform_url, secret = service.url, service.platform_url, service.jwt_secret
            redis_url = service.redis_url
            args.service_run_id = service.run_id
        else:
            url = args.url.rstrip("/")
            platform_url = args.platform_url or os.environ.get(
                "PLATFORM_URL", "http://127.0.0.1:8100"
            )
            secret = os.environ.get("OSA_JWT_SECRET") or load_secret()
            redis_url = args.redis_url or os.environ.get("REDIS_URL", LOCAL_REDIS_URL)
            wait_until_ready(url)
        code = asyncio.run(run(args, url, platform_url, secret, redis_url))
        if args.start_stack:
            print_ray_metric_names(service.ray_metrics_url)
        return code


def wait_until_ready(url: str, timeout_s: float = READY_WAIT_S) -> None:
    """A service measured while it still starts (the model fleets load for a minute or more
    after the chat API answers) reports its start-up, not its load: wait for /readyz first."""
    from evals.service_stack import wait_for

    started = time.monotonic()
    try:
        wait_for(f"{url}/readyz", timeout_s, "the service")
    except RuntimeError as exc:
        print(f"[load] {exc}; measuring anyway", file=sys.stderr, flush=True)
        return
    waited = time.monotonic() - started
    if waited >= 1.0:
        print(f"[load] waited {waited:.0f} s for {url}/readyz", file=sys.stderr, flush=True)


def print_ray_metric_names(metrics_url: str) -> None:
    """Which of our metrics Ray's export carried (proof the Ray sink works in every replica)."""
    try:
        text = httpx.get(metrics_url, timeout=10.0).text
    except httpx.HTTPError as exc:
        print(f"[load] Ray metrics export unreachable: {exc}", file=sys.stderr)
        return
    names = sorted(set(re.findall(r"^(ray_(?:osa|vllm)_[a-z_]+?)(?:\{| )", text, re.M)))
    print(f"[load] Ray export carries {len(names)} osa/vllm series names:", file=sys.stderr)
    for name in names:
        print(f"  {name}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
