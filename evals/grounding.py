"""Grounded-response rate of the Policy agent on a question set, with fact accuracy and latency.

    python -m evals.grounding [--data evals/data/policy_questions.jsonl] [--kb kb] [--json]
                              [--base-url URL --model NAME | --no-model] [--limit N]
                              [--concurrency N] [--prompt VERSION] [--verbose]

It stands up everything the agent needs, in this process:

- retrieval: the KB directory ingested by the retrieval engine into a fresh Milvus Lite
  collection in a temporary directory (`HybridPolicySearch`, the production wiring);
- the order platform: the reference service on a loopback port over a temporary SQLite file,
  with the seed's clients and rules and one customer per (client, region, tier) the questions
  ask as (so `get_return_window` answers for that tier and region);
- a model: by default a private Ray instance with Serve and the `llm` app of serve_config.yaml
  (Ray Serve LLM over vLLM, `tracking-fleet` only), as `evals.llm_bench` starts it; with
  `--base-url URL --model NAME` an endpoint that is already running (nothing is started);
  `--no-model` measures the deterministic baseline (every answer is the fallback quote).

Each question line `{"id", "client_id", "region", "tier", "question", "expect_facts",
"relevant"}` becomes one Policy agent turn (`PolicyAgent.handle`, the worker the graph runs),
through the real tool executor. Measured:

- grounded-response rate: the share of questions answered by the model with an answer that
  passed the grounding check (every statement cites a retrieved chunk, its values are in
  that chunk or the platform's output, its words overlap the chunk, it promises nothing);
- fallback rate: the share answered otherwise: the safe fallback (the best-ranked line quoted
  with an offer of a colleague) after an ungrounded or unusable model answer, or nothing found;
  `review_flags` counts the ungrounded model answers;
- fact accuracy: the share of `expect_facts` found in the final answer (case-insensitive);
- retrieval hit rate: questions with a `relevant` section among the retrieved chunks;
- latency of a whole turn and time to the first token, p50/p95, and of its two parts: the
  search (rewrite, hybrid legs, rerank) and the model call. With `--concurrency` > 1 (4 by
  default, so the run fits a few minutes on 2 cores) they include waiting for the model; use
  `--concurrency 1` for one customer's latency;
- how often the model's first choice was the ranker's best line (P1.1).

With `--json` the last line is one JSON object: `grounded_rate`, `fallback_rate`,
`fact_accuracy`, `fact_accuracy_grounded`, `retrieval_hit_rate`, `latency_ms`, `ttft_ms`,
`search_ms`, `model_ms` (each {p50, p95}), `model_took_top_line`, `model_calls_per_question`,
`paths`, `review_flags`, `questions`, `run_s`, `total_s`. Target: grounded rate >= 0.85.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import logging
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.agents.base import WorkerDeps
from app.agents.events import EventType
from app.agents.policy import PolicyAgent
from app.agents.worker import WorkerRequest
from app.llm.client import ModelEndpoint, OpenAIChatModel
from app.llm.endpoints import TierModels
from app.llm.prompts import PromptRegistry
from app.platform.client import PlatformClient
from app.platform.contract import Customer, Region, Tier
from app.platform.dataset import PlatformDataset
from app.platform.seed import generate
from app.retrieval.chunking import KbChunk, chunk_documents
from app.retrieval.embedder import MiniLmEmbedder
from app.retrieval.ingest import ingest_chunks
from app.retrieval.kb_format import read_kb
from app.retrieval.search import HybridPolicySearch
from app.retrieval.settings import RetrievalSettings
from app.retrieval.store import PolicyStore
from app.tools.definitions import CustomerContext
from app.tools.executor import ToolExecutor
from evals.common import format_table, percentile, print_json_last_line
from evals.llm_bench import DEFAULT_CONFIG, free_port, local_llm_stack, wait_until_ready

DEFAULT_DATA = Path("evals/data/policy_questions.jsonl")
DEFAULT_KB = Path("kb")
FLEET = "tracking-fleet"
TARGET = 0.85
PLATFORM_KEY = "grounding-eval-key"
GROUNDED_PATHS = ("model",)


class RelevantSection(BaseModel):
    model_config = ConfigDict(frozen=True)

    source_doc: str
    section: str


class PolicyQuestion(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    client_id: str
    region: Region
    tier: Tier
    question: str = Field(min_length=1)
    expect_facts: list[str] = Field(default_factory=list)
    relevant: list[RelevantSection] = Field(default_factory=list)


@dataclass
class Outcome:
    question: PolicyQuestion
    path: str
    grounding: str | None
    answer: str
    facts_found: float
    retrieval_hit: bool
    latency_ms: float
    ttft_ms: float | None
    model_calls: int
    review_flags: int
    chosen: list[str] = field(default_factory=list)
    search_ms: float | None = None
    model_ms: float | None = None
    decisions: list[str] = field(default_factory=list)


def read_questions(path: Path) -> list[PolicyQuestion]:
    with path.open(encoding="utf-8") as lines:
        return [PolicyQuestion.model_validate_json(line) for line in lines if line.strip()]


def facts_found(answer: str, facts: Sequence[str]) -> float:
    if not facts:
        return 1.0
    text = " ".join(answer.lower().split())
    return sum(" ".join(f.lower().split()) in text for f in facts) / len(facts)


# ---------------------------------------------------------------- retrieval


def build_index(kb_dir: Path, uri: str) -> tuple[PolicyStore, list[KbChunk], float]:
    """The KB ingested into a fresh collection at `uri` (a Milvus Lite file)."""
    chunks = chunk_documents(read_kb(kb_dir))
    store = PolicyStore(uri)
    store.ensure_collection()
    started = time.perf_counter()
    ingest_chunks(chunks, store, MiniLmEmbedder())
    return store, chunks, time.perf_counter() - started


# ---------------------------------------------------------------- the platform


def eval_dataset(questions: Sequence[PolicyQuestion]) -> tuple[PlatformDataset, dict[Any, str]]:
    """The seed's clients, rules and products, no orders, and one customer for every
    (client, region, tier) the questions ask as."""
    seed = generate(seed=7, customers_per_client=3)
    now = datetime.now(UTC)
    customers: list[Customer] = []
    asker: dict[tuple[str, str, str], str] = {}
    for question in questions:
        key = (question.client_id, question.region.value, question.tier.value)
        if key in asker:
            continue
        customer_id = f"CUS-{990000 + len(asker):06d}"
        asker[key] = customer_id
        customers.append(
            Customer(
                customer_id=customer_id,
                client_id=question.client_id,
                name="Eval Customer",
                email=f"eval{len(asker)}@example.com",
                tier=question.tier,
                region=question.region,
                created_at=now,
            )
        )
    dataset = PlatformDataset(
        as_of=now,
        clients=seed.clients,
        return_rules=seed.return_rules,
        sku_rules=seed.sku_rules,
        refund_rules=seed.refund_rules,
        products=seed.products,
        customers=customers,
    )
    return dataset, asker


@contextlib.contextmanager
def local_platform(dataset: PlatformDataset, directory: Path) -> Iterator[str]:
    """The reference platform service on a free loopback port (uvicorn in a thread)."""
    import uvicorn

    from app.platform import db
    from app.platform.dataset import load_dataset
    from app.platform.service import create_app
    from app.platform.settings import PlatformSettings

    url = f"sqlite+aiosqlite:///{directory / 'platform.db'}"

    async def prepare() -> None:
        engine = db.make_engine(url)
        await db.create_schema(engine)
        await load_dataset(db.make_sessionmaker(engine), dataset, replace=True)
        await engine.dispose()

    asyncio.run(prepare())
    settings = PlatformSettings(
        database_url=url, api_key=PLATFORM_KEY, admin_key=PLATFORM_KEY + "-admin"
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, name="platform", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the platform service did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def model_endpoint(args: argparse.Namespace) -> Iterator[str | None]:
    if args.no_model:
        yield None
        return
    if args.base_url:
        yield args.base_url
        return
    with local_llm_stack(args.serve_config, FLEET, args.verbose) as base_url:
        yield base_url


# ---------------------------------------------------------------- the run


async def ask(
    agent: PolicyAgent,
    question: PolicyQuestion,
    customer_id: str,
    relevant_ids: set[str],
) -> Outcome:
    context = CustomerContext(
        customer_id=customer_id,
        client_id=question.client_id,
        tier=question.tier,
        region=question.region,
        active_orders=[],
    )
    request = WorkerRequest(
        client_id=question.client_id,
        customer_id=customer_id,
        session_id=f"grounding-eval-{question.id}",
        message=question.question,
        intent="return_policy",
        confidence=1.0,
        context=context,
    )
    started = time.perf_counter()
    ttft: float | None = None
    decisions: list[str] = []
    reviews = 0
    async for event in agent.handle(request):
        if event.type is EventType.TOKEN and ttft is None and event.data.get("text"):
            ttft = (time.perf_counter() - started) * 1000
        elif event.type is EventType.DECISION:
            decisions.append(str(event.data.get("text")))
            reviews += bool(event.data.get("review"))
    latency = (time.perf_counter() - started) * 1000
    outcome = agent.last_outcome
    return Outcome(
        question=question,
        path=outcome.path,
        grounding=outcome.grounding,
        answer=outcome.answer,
        facts_found=facts_found(outcome.answer, question.expect_facts),
        retrieval_hit=bool(relevant_ids & set(outcome.chunk_ids)),
        latency_ms=latency,
        ttft_ms=ttft,
        model_calls=outcome.model_calls,
        review_flags=reviews,
        chosen=outcome.chosen,
        search_ms=outcome.search_ms,
        model_ms=outcome.model_ms,
        decisions=decisions,
    )


async def run_questions(
    questions: Sequence[PolicyQuestion],
    deps: WorkerDeps,
    askers: dict[Any, str],
    chunks: Sequence[KbChunk],
    concurrency: int,
) -> list[Outcome]:
    by_section: dict[tuple[str, str], set[str]] = {}
    for chunk in chunks:
        by_section.setdefault((chunk.source_doc, chunk.section), set()).add(chunk.chunk_id)
    gate = asyncio.Semaphore(concurrency)

    async def one(question: PolicyQuestion) -> Outcome:
        relevant = set().union(
            *(by_section.get((r.source_doc, r.section), set()) for r in question.relevant)
        )
        key = (question.client_id, question.region.value, question.tier.value)
        async with gate:
            return await ask(PolicyAgent(deps), question, askers[key], relevant)

    return list(await asyncio.gather(*(one(q) for q in questions)))


async def warm_up(deps: WorkerDeps, question: PolicyQuestion, customer_id: str) -> None:
    """One turn before timing: loads the encoder, compiles the first grammar."""
    await ask(PolicyAgent(deps), question, customer_id, set())


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    n = len(outcomes)
    paths = Counter(o.path for o in outcomes)
    latencies = [o.latency_ms for o in outcomes]
    ttfts = [o.ttft_ms for o in outcomes if o.ttft_ms is not None]
    model_ms = [o.model_ms for o in outcomes if o.model_ms is not None]
    chosen = [o.chosen for o in outcomes if o.chosen]
    return {
        "questions": n,
        "grounded_rate": round(sum(paths[p] for p in GROUNDED_PATHS) / n, 4),
        "fallback_rate": round(1 - sum(paths[p] for p in GROUNDED_PATHS) / n, 4),
        "fact_accuracy": round(sum(o.facts_found for o in outcomes) / n, 4),
        "fact_accuracy_grounded": round(
            _mean([o.facts_found for o in outcomes if o.path in GROUNDED_PATHS]), 4
        ),
        "retrieval_hit_rate": round(sum(o.retrieval_hit for o in outcomes) / n, 4),
        "latency_ms": _p50_p95(latencies),
        "ttft_ms": _p50_p95(ttfts) if ttfts else None,
        "search_ms": _p50_p95([o.search_ms for o in outcomes if o.search_ms is not None]),
        "model_ms": _p50_p95(model_ms) if model_ms else None,
        # How often the model's first choice was the ranker's best line (P1.1).
        "model_took_top_line": round(_mean([float(c[:1] == ["P1.1"]) for c in chosen]), 4),
        "model_calls_per_question": round(sum(o.model_calls for o in outcomes) / n, 3),
        "review_flags": sum(o.review_flags for o in outcomes),
        "paths": dict(sorted(paths.items())),
    }


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _p50_p95(values: Sequence[float]) -> dict[str, float]:
    return {"p50": round(percentile(values, 50), 1), "p95": round(percentile(values, 95), 1)}


def report(outcomes: Sequence[Outcome], summary: dict[str, Any], verbose: bool) -> None:
    rows = [
        (
            o.question.id,
            o.path,
            round(o.facts_found, 2),
            "yes" if o.retrieval_hit else "no",
            round(o.latency_ms),
            (o.grounding or "-")[:40],
        )
        for o in outcomes
    ]
    print(format_table(["id", "path", "facts", "hit", "ms", "grounding check"], rows))
    shown = outcomes if verbose else [o for o in outcomes if o.path not in GROUNDED_PATHS][:5]
    for o in shown:
        print(f"\n{o.question.id} ({o.path}) {o.question.question}\n  -> {o.answer[:300]}")
        for line in o.decisions:
            print(f"     {line[:200]}")
    print()
    print(
        format_table(
            ["metric", "value"],
            [
                ("grounded-response rate", summary["grounded_rate"]),
                ("fallback rate", summary["fallback_rate"]),
                ("fact accuracy", summary["fact_accuracy"]),
                ("retrieval hit rate", summary["retrieval_hit_rate"]),
                ("latency p50 / p95 ms", "{p50:.0f} / {p95:.0f}".format(**summary["latency_ms"])),
                (
                    "TTFT p50 / p95 ms",
                    "{p50:.0f} / {p95:.0f}".format(**summary["ttft_ms"])
                    if summary["ttft_ms"]
                    else "-",
                ),
                ("search p50 / p95 ms", "{p50:.0f} / {p95:.0f}".format(**summary["search_ms"])),
                (
                    "model call p50 / p95 ms",
                    "{p50:.0f} / {p95:.0f}".format(**summary["model_ms"])
                    if summary["model_ms"]
                    else "-",
                ),
                ("model chose the top line first", summary["model_took_top_line"]),
                ("model calls / question", summary["model_calls_per_question"]),
                ("flagged for review", summary["review_flags"]),
            ],
        )
    )


async def evaluate(
    questions: Sequence[PolicyQuestion],
    search: HybridPolicySearch,
    chunks: Sequence[KbChunk],
    platform_url: str,
    askers: dict[Any, str],
    model: OpenAIChatModel | None,
    args: argparse.Namespace,
) -> list[Outcome]:
    platform = PlatformClient(platform_url, PLATFORM_KEY, timeout_s=10.0)
    try:
        deps = WorkerDeps(
            platform=platform,
            executor=ToolExecutor(),
            policy_search=search,
            models=TierModels(model, model, model, model) if model else None,
            prompts=PromptRegistry().select({"policy": args.prompt} if args.prompt else None),
        )
        first = questions[0]
        await warm_up(deps, first, askers[(first.client_id, first.region.value, first.tier.value)])
        return await run_questions(questions, deps, askers, chunks, args.concurrency)
    finally:
        await platform.aclose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--kb", type=Path, default=DEFAULT_KB)
    parser.add_argument("--base-url", help="a running OpenAI-compatible endpoint (…/v1)")
    parser.add_argument("--model", default=FLEET, help="model id at --base-url")
    parser.add_argument("--serve-config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--prompt", help="policy prompt version (default: the shipped default)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    parser.add_argument(
        "--no-model",
        action="store_true",
        help="no model at all: the deterministic baseline (every answer is the fallback)",
    )
    parser.add_argument("--concurrency", type=int, default=4, help="questions in flight")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # One line per model and platform request would bury the report.
    logging.getLogger("httpx").setLevel(logging.WARNING)

    questions = read_questions(args.data)
    if args.limit:
        questions = questions[: args.limit]
    if not questions:
        raise SystemExit(f"no questions in {args.data}")
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="osa-grounding-eval-") as tmp,
        concurrent.futures.ThreadPoolExecutor(max_workers=1) as background,
    ):
        # Ingestion (the encoder) runs while the model server starts; both take a while.
        indexing = background.submit(build_index, args.kb, str(Path(tmp) / "kb.db"))
        dataset, askers = eval_dataset(questions)
        try:
            with (
                local_platform(dataset, Path(tmp)) as platform_url,
                model_endpoint(args) as base_url,
            ):
                model = None
                if base_url is not None:
                    asyncio.run(wait_until_ready(base_url, args.model))
                    print(f"model ready at {base_url} after {time.perf_counter() - started:.0f} s")
                    model = OpenAIChatModel(
                        ModelEndpoint(
                            name=f"eval:{args.model}",
                            base_url=base_url,
                            model=args.model,
                            timeout_s=120.0,
                        )
                    )
                store, chunks, ingest_s = indexing.result()
                print(f"ingested {len(chunks)} chunks in {ingest_s:.1f} s")
                search = HybridPolicySearch.from_settings(RetrievalSettings.load(), store=store)
                run_started = time.perf_counter()
                outcomes = asyncio.run(
                    evaluate(questions, search, chunks, platform_url, askers, model, args)
                )
                run_s = time.perf_counter() - run_started
        finally:
            with contextlib.suppress(Exception):  # an ingestion error was raised above
                indexing.result()[0].close()

    summary = summarise(outcomes)
    summary["run_s"] = round(run_s, 1)
    summary["total_s"] = round(time.perf_counter() - started, 1)
    report(outcomes, summary, args.verbose)
    if args.json:
        print_json_last_line(summary)
    else:
        verdict = "meets" if summary["grounded_rate"] >= TARGET else "misses"
        print(
            f"grounded {summary['grounded_rate']:.1%} ({verdict} the {TARGET:.0%} target), "
            f"facts {summary['fact_accuracy']:.1%}, fallback {summary['fallback_rate']:.1%}, "
            f"p50 {summary['latency_ms']['p50']:.0f} ms, {len(outcomes)} questions "
            f"in {summary['run_s']:.0f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
