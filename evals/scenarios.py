"""Scenarios: scripted conversations through the whole agent, against a fresh platform each.

    python -m evals.scenarios [--data evals/data/scenarios_dev.jsonl] [--json] [--show]
        [--only ID_PART] [--category C] [--voice V] [--worker-only] [--llm-base-url URL]

A line is self-contained: `{"id", "category", "voice", "fixture": <PlatformDataset>, "turns":
[messages], "expect": {"refunds": [{order_id, amount, reason_code, status?, turn?}],
"returns": [{order_id, skus, reason_code?, turn?}], "notifications": n, "escalated": bool|null,
"must_mention": [strings], "asks_for_write"?}}`, optionally with `faults` (operationId ->
FaultSpec, set before turn `fault_at`, default the last turn), `restart_before` (new workers,
clients and saver before that turn: another replica), `sweep_after_s` (wait, then check pending
refunds once) and `intent` (used by --worker-only alone, default refund_request).

By default every message goes through the real pipeline in this process
(evals/scenario_pipeline.py): guardrail, hydration, the router's own decision, whichever worker
it picks, a real local Redis for the session; no model fleet unless --llm-base-url names one.
--worker-only is the earlier mode: the negotiation worker alone, given the scenario's intent.
Either way the platform is the real reference service (its FastAPI app in process, a temporary
SQLite database, the fixture loaded through the admin import API), read after every customer
message. What counts is the platform's state, never the agent's words:

  task_completion     scenarios whose refunds, returns, notifications, escalation, consent
                      turns and required phrases all match the expectation
  false_confirmations sentences claiming a refund/return was approved or submitted that the
                      platform does not show (must be 0)
  double_writes       refunds or returns beyond one per identical request (must be 0)
  writes_before_consent  writes that appeared after a customer message earlier than the one
                      their expectation names as consent (`turn`) (must be 0)
  wrong_writes        writes whose order, item set, amount or reason matches no expected one
  proposals_without_request  proposals in scenarios that expect no write, no escalation and
                      no request for one (a question, a status check, an address change)
  escalation_rate     scenarios that opened a ticket
  schema_validity     tool calls whose arguments passed the narrowed schema
  argument_accuracy   write calls whose order, amount/items and reason match the expectation

The figures are printed per category and per voice (who wrote it, in what register) as well.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, Field

from app.agents.base import WorkerDeps
from app.agents.events import ChatEvent, EventType
from app.agents.negotiation import NegotiationAgent, NegotiationSettings
from app.agents.worker import WorkerRequest
from app.platform.client import CustomerRef, PlatformClient
from app.platform.contract import FaultSpec, ReasonCode, RefundStatus
from app.platform.dataset import PlatformDataset
from app.platform.service import create_app
from app.platform.settings import PlatformSettings
from app.tools import AgentTier, CustomerContext, ToolContext, ToolExecutor, ToolSuccess
from app.tools.executor import ExecutorSettings
from evals.common import format_table, print_json_last_line
from evals.scenario_pipeline import AgentRuntime, PipelineStage, agent_runtime, customer_identity

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "scenarios_dev.jsonl"
API_KEY, ADMIN_KEY = "eval-api-key", "eval-admin-key"
CLAIM = re.compile(r"has been approved|has now been approved|has been submitted")
RECORD = re.compile(r"\b(?:REF|RET)-[0-9]{6,10}\b")
SENTENCE = re.compile(r"(?<=[.!?])\s+")


class ExpectedRefund(BaseModel):
    order_id: str
    amount: float
    reason_code: ReasonCode
    status: RefundStatus | None = None
    # The customer message (0-based) after which the refund must exist, and before which it
    # must not: the turn that gave consent to these exact terms.
    turn: int | None = Field(default=None, ge=0)


class ExpectedReturn(BaseModel):
    order_id: str
    skus: list[str]
    reason_code: ReasonCode | None = None
    turn: int | None = Field(default=None, ge=0)


class Expect(BaseModel):
    refunds: list[ExpectedRefund] = Field(default_factory=list)
    returns: list[ExpectedReturn] = Field(default_factory=list)
    # The write calls a correct agent makes, when they differ from what the platform ends up
    # holding (a write the platform keeps failing): the labels of argument accuracy.
    calls: list[ExpectedRefund] | None = None
    notifications: int = 0
    # None: either is right (no tool does what was asked; a person may or may not be called).
    escalated: bool | None = False
    must_mention: list[str] = Field(default_factory=list)
    # The customer asks for a refund or return but ends with none (declines the offer, or
    # the rules refuse it): proposals here answer a request. Elsewhere, a scenario expecting
    # no write and no escalation (a question, a status check) must see no proposal at all.
    asks_for_write: bool = False


class Scenario(BaseModel):
    id: str
    fixture: PlatformDataset
    turns: list[str] = Field(min_length=1)
    expect: Expect
    category: str = "happy paths"
    # Who wrote it, and in what voice: the split by family.
    voice: str = "template"
    customer: str | None = None
    # The router's decision, for --worker-only (which bypasses the router); the whole
    # pipeline ignores it and routes every turn itself.
    intent: str | None = None
    faults: dict[str, FaultSpec] = Field(default_factory=dict)
    fault_at: int | None = None
    restart_before: int | None = None
    sweep_after_s: float | None = None


@dataclass
class Outcome:
    scenario: Scenario
    completed: bool = False
    problems: list[str] = field(default_factory=list)
    false_confirmations: int = 0
    double_writes: int = 0
    escalated: bool = False
    tool_calls: int = 0
    schema_valid: int = 0
    write_calls: int = 0
    accurate_writes: int = 0
    writes_before_consent: int = 0
    wrong_writes: int = 0
    proposals: int = 0
    proposals_without_request: int = 0
    # Each new refund or return id, and the customer message after which it first showed.
    write_turns: dict[str, int] = field(default_factory=dict)
    transcript: list[str] = field(default_factory=list)
    seconds: float = 0.0


def load(path: Path) -> list[Scenario]:
    # "\n" only: str.splitlines() would also split inside strings on U+2028 and friends.
    lines = path.read_text(encoding="utf-8").split("\n")
    return [Scenario.model_validate_json(line) for line in lines if line.strip()]


def parse_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.split("\n") if line.strip()]


# ---------------------------------------------------------------- one scenario


@asynccontextmanager
async def fresh_platform(
    directory: Path, dataset: PlatformDataset
) -> AsyncIterator[httpx.AsyncBaseTransport]:
    """The reference service in this process over its own SQLite file, fixture imported."""
    settings = PlatformSettings(
        database_url=f"sqlite+aiosqlite:///{directory / 'platform.db'}",
        api_key=API_KEY,
        admin_key=ADMIN_KEY,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with PlatformClient(
            "http://platform", API_KEY, admin_key=ADMIN_KEY, transport=transport
        ) as admin:
            await admin.import_dataset(dataset, replace=True)
        yield transport


@dataclass
class Stage:
    """One scenario's platform and agent; `restart()` is another replica taking over."""

    scenario: Scenario
    transport: httpx.AsyncBaseTransport
    directory: Path
    executor: ToolExecutor = field(
        default_factory=lambda: ToolExecutor(
            ExecutorSettings(backoff_initial_s=0.01, backoff_max_s=0.05)
        )
    )
    agent: NegotiationAgent | None = None

    def client(self, admin: bool = False) -> PlatformClient:
        return PlatformClient(
            "http://platform",
            API_KEY,
            admin_key=ADMIN_KEY if admin else None,
            transport=self.transport,
        )

    async def restart(self) -> NegotiationAgent:
        if self.agent is not None:
            await self.agent.deps.platform.aclose()
        settings = NegotiationSettings(
            checkpoint_url=str(self.directory / "negotiation.sqlite"),
            recover_delay_s=0.05,
            settle_poll_s=0.05,
            settlement_poll_s=0,  # swept explicitly (sweep_after_s)
        )
        self.agent = NegotiationAgent(
            WorkerDeps(platform=self.client(), executor=self.executor), settings
        )
        return self.agent


async def run(scenario: Scenario, runtime: AgentRuntime | None = None) -> Outcome:
    """One scenario on a fresh platform: through the whole agent (`runtime`), or through the
    negotiation worker alone (None: --worker-only, the router's decision given)."""
    outcome = Outcome(scenario)
    started = time.perf_counter()
    customer = scenario.customer or scenario.fixture.customers[0].customer_id
    client_id = next(c.client_id for c in scenario.fixture.customers if c.customer_id == customer)
    who = CustomerRef(client_id, customer)
    with tempfile.TemporaryDirectory() as tmp:
        async with fresh_platform(Path(tmp), scenario.fixture) as transport:
            async with PlatformClient(
                "http://platform", API_KEY, admin_key=ADMIN_KEY, transport=transport
            ) as admin:
                before = await admin.export_dataset(client_id)
                watch = WriteWatch(admin, client_id, before, outcome)
                if runtime is None:
                    stage = Stage(scenario, transport, Path(tmp))
                    events = await converse(stage, admin, who, outcome, watch)
                    agent = stage.agent
                    assert agent is not None
                    closing = agent.deps.platform.aclose
                else:
                    piped = PipelineStage(runtime, transport, Path(tmp), API_KEY)
                    try:
                        events = await converse_pipeline(piped, admin, who, outcome, watch)
                    except BaseException:
                        await piped.aclose()
                        raise
                    agent = piped.negotiation
                    closing = piped.aclose
                try:
                    await admin.clear_faults()
                    if scenario.sweep_after_s is not None:
                        await asyncio.sleep(scenario.sweep_after_s)
                        await agent.sweep_settlements()
                    # Persist review outcomes that fell due (reads show them; the export, rows).
                    await admin.settle_refunds()
                    after = await admin.export_dataset(client_id)
                finally:
                    await closing()
    score(outcome, before, after, events)
    outcome.seconds = time.perf_counter() - started
    return outcome


@dataclass
class WriteWatch:
    """Reads the platform after every customer message: which turn each write followed."""

    admin: PlatformClient
    client_id: str
    before: PlatformDataset
    outcome: Outcome

    async def after_turn(self, index: int) -> None:
        now = await self.admin.export_dataset(self.client_id)
        old = {r.refund_id for r in self.before.refunds} | {
            r.return_id for r in self.before.returns
        }
        for record_id in [r.refund_id for r in now.refunds] + [r.return_id for r in now.returns]:
            if record_id not in old:
                self.outcome.write_turns.setdefault(record_id, index)


async def converse(
    stage: Stage, admin: PlatformClient, who: CustomerRef, outcome: Outcome, watch: WriteWatch
) -> list[ChatEvent]:
    """The turns, as the pipeline drives a worker: the pending proposal is kept from a
    confirmation_required event to the next turn and dropped by any other turn."""
    scenario = stage.scenario
    hydrated = await stage.executor.execute(
        ToolContext(who=who, session_id="eval-hydration", platform=admin),
        AgentTier.SYSTEM,
        "get_customer_context",
        {},
    )
    assert isinstance(hydrated, ToolSuccess), hydrated
    context: CustomerContext = hydrated.output  # type: ignore[assignment]
    agent = await stage.restart()
    session_id = f"eval{scenario.id.replace('-', '')}"[:60].ljust(16, "x")
    pending: dict[str, Any] | None = None
    history: list[dict[str, Any]] = []
    events: list[ChatEvent] = []
    fault_at = len(scenario.turns) - 1 if scenario.fault_at is None else scenario.fault_at
    for index, message in enumerate(scenario.turns):
        if index == fault_at:
            for operation, spec in scenario.faults.items():
                await admin.set_fault(operation, spec)
        if index == scenario.restart_before:
            agent = await stage.restart()
        request = WorkerRequest(
            client_id=who.client_id,
            customer_id=who.customer_id,
            session_id=session_id,
            message=message,
            intent=scenario.intent or "refund_request",
            confidence=0.9,
            context=context,
            history=list(history),
            pending=pending,
        )
        turn = [e async for e in agent.handle(request)]
        events += turn
        text = "".join(str(e.data.get("text", "")) for e in turn if e.type is EventType.TOKEN)
        outcome.transcript += [f"customer: {message}", f"agent: {text}"]
        confirmations = [e for e in turn if e.type is EventType.CONFIRMATION_REQUIRED]
        pending = confirmations[-1].data if confirmations else None
        history += [{"role": "user", "text": message}, {"role": "assistant", "text": text}]
        await watch.after_turn(index)
    return events


async def converse_pipeline(
    stage: PipelineStage,
    admin: PlatformClient,
    who: CustomerRef,
    outcome: Outcome,
    watch: WriteWatch,
) -> list[ChatEvent]:
    """The turns through ChatPipeline.start_turn, as the HTTP API calls it: the router
    decides every turn, the session (Redis) carries history and the pending proposal."""
    scenario = outcome.scenario
    identity = customer_identity(who.client_id, who.customer_id)
    pipeline = await stage.restart()
    session_id = await pipeline.create_session(identity)
    events: list[ChatEvent] = []
    fault_at = len(scenario.turns) - 1 if scenario.fault_at is None else scenario.fault_at
    for index, message in enumerate(scenario.turns):
        if index == fault_at:
            for operation, spec in scenario.faults.items():
                await admin.set_fault(operation, spec)
        if index == scenario.restart_before and index > 0:
            await stage.restart()
        turn = await stage.turn(identity, session_id, message)
        events += turn
        text = "".join(
            str(e.data.get("text", e.data.get("message", "")))
            for e in turn
            if e.type in (EventType.TOKEN, EventType.ERROR)
        )
        # The pipeline's own DONE comes last (a worker may end its part with one of its own).
        done = next((e.data for e in reversed(turn) if e.type is EventType.DONE), {})
        route = done.get("route") or ("guardrail" if done.get("blocked") else "none")
        outcome.transcript += [f"customer: {message}", f"agent [{route}]: {text}"]
        await watch.after_turn(index)
    return events


def score(
    outcome: Outcome, before: PlatformDataset, after: PlatformDataset, events: list[Any]
) -> None:
    expect = outcome.scenario.expect
    old = {r.refund_id for r in before.refunds} | {r.return_id for r in before.returns}
    refunds = [r for r in after.refunds if r.refund_id not in old]
    returns = [r for r in after.returns if r.return_id not in old]
    notifications = len(after.notifications) - len(before.notifications)
    tickets = len(after.tickets) - len(before.tickets)
    outcome.escalated = tickets > 0

    got_refunds = Counter(
        (r.order_id, round(float(r.amount), 2), r.reason_code.value) for r in refunds
    )
    want_refunds = Counter(
        (r.order_id, round(r.amount, 2), r.reason_code.value) for r in expect.refunds
    )
    if got_refunds != want_refunds:
        outcome.problems.append(f"refunds {dict(got_refunds)} != {dict(want_refunds)}")
    statuses = {(r.order_id, r.status.value) for r in refunds}
    for wanted in expect.refunds:
        if wanted.status is not None and (wanted.order_id, wanted.status.value) not in statuses:
            outcome.problems.append(f"refund on {wanted.order_id} not {wanted.status.value}")
    got_returns = Counter((r.order_id, tuple(sorted(i.sku for i in r.items))) for r in returns)
    want_returns = Counter((r.order_id, tuple(sorted(r.skus))) for r in expect.returns)
    if got_returns != want_returns:
        outcome.problems.append(f"returns {dict(got_returns)} != {dict(want_returns)}")
    if notifications != expect.notifications:
        outcome.problems.append(f"notifications {notifications} != {expect.notifications}")
    if expect.escalated is not None and outcome.escalated != expect.escalated:
        outcome.problems.append(f"escalated {outcome.escalated} != {expect.escalated}")
    said = " ".join(
        line.split(": ", 1)[1] for line in outcome.transcript if line.startswith("agent")
    )
    for phrase in expect.must_mention:
        if phrase.lower() not in said.lower():
            outcome.problems.append(f"never said {phrase!r}")

    outcome.double_writes = sum(n - 1 for n in got_refunds.values()) + sum(
        n - 1 for n in got_returns.values()
    )
    status_of = {r.refund_id: r.status.value for r in after.refunds}
    status_of.update({r.return_id: r.status.value for r in after.returns})
    for sentence in SENTENCE.split(said):
        if not CLAIM.search(sentence):
            continue
        ids = RECORD.findall(sentence)
        backed = bool(ids) and all(
            i in status_of and ("approved" not in sentence or status_of[i] == "approved")
            for i in ids
        )
        if not backed:
            outcome.false_confirmations += 1
            outcome.problems.append(f"false confirmation: {sentence!r}")

    expected_calls = {
        ("initiate_refund", r.order_id, round(r.amount, 2), r.reason_code.value)
        for r in (expect.refunds if expect.calls is None else expect.calls)
    } | {("initiate_return", r.order_id, tuple(sorted(r.skus))) for r in expect.returns}
    for event in events:
        if getattr(event.type, "value", "") != "tool":
            continue
        outcome.tool_calls += 1
        if event.data.get("code") != "invalid_arguments":
            outcome.schema_valid += 1
        name, args = event.data.get("name"), event.data.get("arguments") or {}
        if name == "initiate_refund":
            outcome.write_calls += 1
            key = (
                name,
                args.get("order_id"),
                round(float(args.get("amount", 0)), 2),
                args.get("reason_code"),
            )
            outcome.accurate_writes += key in expected_calls
        elif name == "initiate_return":
            outcome.write_calls += 1
            skus = tuple(sorted(i["sku"] for i in args.get("items", [])))
            outcome.accurate_writes += (name, args.get("order_id"), skus) in expected_calls
    score_turns_and_terms(outcome, refunds, returns)
    score_proposals(outcome, events)
    outcome.completed = not outcome.problems


def score_turns_and_terms(outcome: Outcome, refunds: list[Any], returns: list[Any]) -> None:
    """Each write against the expected ones: its terms (order, items, amount, reason) must
    match one, and where that one names its consent turn, it must follow exactly that turn."""
    expect = outcome.scenario.expect
    allowed_refunds = expect.refunds + (expect.calls or [])
    for record in refunds:
        terms = (record.order_id, round(float(record.amount), 2), record.reason_code.value)
        matches = [
            e
            for e in allowed_refunds
            if (e.order_id, round(e.amount, 2), e.reason_code.value) == terms
        ]
        check_write(outcome, record.refund_id, terms, matches)
    for record in returns:
        skus = sorted(i.sku for i in record.items)
        matches = [
            e
            for e in expect.returns
            if e.order_id == record.order_id
            and sorted(e.skus) == skus
            and e.reason_code in (None, record.reason_code)
        ]
        check_write(outcome, record.return_id, (record.order_id, skus), matches)


def check_write(
    outcome: Outcome,
    record_id: str,
    terms: tuple[Any, ...],
    matches: list[ExpectedRefund] | list[ExpectedReturn],
) -> None:
    if not matches:
        outcome.wrong_writes += 1
        outcome.problems.append(f"wrong write {record_id} {terms}")
        return
    wanted = {m.turn for m in matches}
    if None in wanted:
        return
    seen = outcome.write_turns.get(record_id)
    if seen is None:
        return
    if seen < min(wanted):
        outcome.writes_before_consent += 1
        outcome.problems.append(
            f"{record_id} written after message {seen}, before its consent at {min(wanted)}"
        )
    elif seen not in wanted:
        outcome.problems.append(f"{record_id} written after message {seen}, not {sorted(wanted)}")


def score_proposals(outcome: Outcome, events: list[Any]) -> None:
    expect = outcome.scenario.expect
    outcome.proposals = sum(getattr(e.type, "value", "") == "confirmation_required" for e in events)
    asked_for_nothing = (
        not (expect.refunds or expect.returns or expect.calls or expect.escalated)
        and not expect.asks_for_write
    )
    if asked_for_nothing and outcome.proposals:
        outcome.proposals_without_request = outcome.proposals
        outcome.problems.append(f"{outcome.proposals} proposal(s) nobody asked for")


# ---------------------------------------------------------------- the report


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    n = len(outcomes)
    calls = sum(o.tool_calls for o in outcomes)
    writes = sum(o.write_calls for o in outcomes)
    return {
        "scenarios": n,
        "task_completion": round(sum(o.completed for o in outcomes) / n, 4) if n else 0.0,
        "false_confirmations": sum(o.false_confirmations for o in outcomes),
        "double_writes": sum(o.double_writes for o in outcomes),
        "writes_before_consent": sum(o.writes_before_consent for o in outcomes),
        "wrong_writes": sum(o.wrong_writes for o in outcomes),
        "proposals_without_request": sum(o.proposals_without_request for o in outcomes),
        "escalation_rate": round(sum(o.escalated for o in outcomes) / n, 4) if n else 0.0,
        "schema_validity": round(sum(o.schema_valid for o in outcomes) / calls, 4)
        if calls
        else 1.0,
        "argument_accuracy": round(sum(o.accurate_writes for o in outcomes) / writes, 4)
        if writes
        else 1.0,
        "tool_calls": calls,
        "write_calls": writes,
    }


def split_by(outcomes: list[Outcome], key: str) -> dict[str, dict[str, Any]]:
    """The headline figures per category (or per voice)."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(str(getattr(o.scenario, key)), []).append(o)
    return {
        name: {
            k: v
            for k, v in summarise(group).items()
            if k
            in (
                "scenarios",
                "task_completion",
                "false_confirmations",
                "writes_before_consent",
                "wrong_writes",
                "proposals_without_request",
                "escalation_rate",
            )
        }
        for name, group in sorted(groups.items())
    }


async def run_all(scenarios: list[Scenario], runtime: AgentRuntime | None = None) -> list[Outcome]:
    # One at a time: fault injection and timing are per platform, and the machine is small.
    return [await run(s, runtime) for s in scenarios]


async def run_whole_agent(scenarios: list[Scenario], llm_base_url: str | None) -> list[Outcome]:
    with agent_runtime(llm_base_url) as runtime:
        return await run_all(scenarios, runtime)


def _split_table(title: str, split: dict[str, dict[str, Any]]) -> str:
    rows = [
        (
            name,
            f["scenarios"],
            f"{f['task_completion']:.1%}",
            f["writes_before_consent"],
            f["wrong_writes"],
            f["proposals_without_request"],
            f["false_confirmations"],
        )
        for name, f in split.items()
    ]
    header = (title, "n", "completed", "before consent", "wrong", "unasked", "false conf")
    return format_table(header, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scenario eval: conversations, platform state")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--show", action="store_true", help="print failing transcripts")
    parser.add_argument("--only", help="run the scenarios whose id contains this")
    parser.add_argument("--category", help="run one category")
    parser.add_argument("--voice", help="run one voice (family)")
    parser.add_argument(
        "--worker-only",
        action="store_true",
        help="the negotiation worker alone, given each scenario's intent (no guardrail, "
        "router, hydration or other workers)",
    )
    parser.add_argument(
        "--llm-base-url",
        default=None,
        help="an OpenAI-compatible model fleet for the workers' LLM paths (default: none)",
    )
    args = parser.parse_args(argv)
    scenarios = load(args.data)
    if args.only:
        scenarios = [s for s in scenarios if args.only in s.id]
    if args.category:
        scenarios = [s for s in scenarios if s.category == args.category]
    if args.voice:
        scenarios = [s for s in scenarios if s.voice == args.voice]
    if args.worker_only:
        outcomes = asyncio.run(run_all(scenarios))
    else:
        outcomes = asyncio.run(run_whole_agent(scenarios, args.llm_base_url))
    summary = summarise(outcomes)
    summary["mode"] = "worker-only" if args.worker_only else "pipeline"
    summary["categories"] = split_by(outcomes, "category")
    summary["voices"] = split_by(outcomes, "voice")
    rows = [
        (
            o.scenario.id,
            o.scenario.category,
            "ok" if o.completed else "FAIL",
            o.escalated,
            round(o.seconds, 2),
        )
        for o in outcomes
    ]
    print(f"data: {args.data} ({len(outcomes)} scenarios, {summary['mode']})")
    print(format_table(("scenario", "category", "result", "escalated", "s"), rows))
    for o in outcomes:
        if o.problems:
            print(f"  {o.scenario.id}: {'; '.join(o.problems)}")
            if args.show:
                print("    " + "\n    ".join(o.transcript))
    print(_split_table("category", summary["categories"]))
    print(_split_table("voice", summary["voices"]))
    line = (
        f"task completion {summary['task_completion']:.1%}, false confirmations "
        f"{summary['false_confirmations']}, double writes {summary['double_writes']}, "
        f"writes before consent {summary['writes_before_consent']}, wrong writes "
        f"{summary['wrong_writes']}, proposals without request "
        f"{summary['proposals_without_request']}, escalation rate "
        f"{summary['escalation_rate']:.1%}, schema validity "
        f"{summary['schema_validity']:.1%} ({summary['tool_calls']} calls), argument accuracy "
        f"{summary['argument_accuracy']:.1%} ({summary['write_calls']} writes)"
    )
    print(line)
    if args.json:
        print_json_last_line(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
