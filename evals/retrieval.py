"""Policy retrieval quality and latency, every search mode side by side in one run.

    python -m evals.retrieval --kb kb --queries evals/data/retrieval_queries.jsonl [--json]
                              [--external-data ../shared/data]

Ingests the KB directory (plus the external policies of any client the queries name that the KB
lacks, from --external-data) into a fresh Milvus Lite collection in a temporary directory, then
runs every query line `{"query", "client_id", "region", "relevant": [{"source_doc", "section"}],
"kind"?}` in each mode: hybrid_rerank, hybrid (BM25 + dense + identifier legs, RRF), dense only,
BM25 only. A retrieved chunk is relevant when its source_doc and section match an entry.

- recall@5: the share of a query's relevant sections found in the top 5, averaged over queries;
- MRR: 1 / rank of the first relevant chunk (0 when none is in the top 10);
- hit@5 (table only): the share of queries with at least one relevant chunk in the top 5;
- p50/p95: wall time of one `retrieve()` call (query encoding, the search legs where the
  settings serve them, rerank), after a warm-up.

With `--json` the last line is `{"modes": {"<mode>": {"recall_at_5", "mrr", "p50_ms", "p95_ms",
"by_kind": {"<kind>": {"recall_at_5", "mrr"}}}}}`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.retrieval.chunking import chunk_documents
from app.retrieval.external import default_shared_data_dir, external_documents
from app.retrieval.ingest import ingest_chunks
from app.retrieval.kb_format import read_kb
from app.retrieval.query import QueryContext
from app.retrieval.scope import TenantScope
from app.retrieval.search import HybridPolicySearch, SearchMode
from app.retrieval.settings import RetrievalSettings
from app.retrieval.store import PolicyStore, SearchHit
from evals.common import format_table, percentile, print_json_last_line

K = 5
MRR_DEPTH = 10
WARMUP_QUERIES = 5
MODES = (SearchMode.HYBRID_RERANK, SearchMode.HYBRID, SearchMode.DENSE, SearchMode.BM25)


class RelevantSection(BaseModel):
    model_config = ConfigDict(frozen=True)

    source_doc: str
    section: str


class RetrievalQuery(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    query: str = Field(min_length=1)
    client_id: str
    region: str
    relevant: list[RelevantSection] = Field(min_length=1)
    kind: str | None = None


@dataclass(frozen=True)
class Outcome:
    kind: str
    recall: float
    reciprocal_rank: float
    hit: bool
    latency_ms: float


def read_queries(path: Path) -> list[RetrievalQuery]:
    with path.open(encoding="utf-8") as lines:
        return [RetrievalQuery.model_validate_json(line) for line in lines if line.strip()]


def score(item: RetrievalQuery, hits: Sequence[SearchHit]) -> tuple[float, float, bool]:
    """(recall@K, reciprocal rank, hit@K) of one ranked list."""
    wanted = {(r.source_doc, r.section) for r in item.relevant}
    ranked = [(h.source_doc, h.section) for h in hits]
    found = wanted & set(ranked[:K])
    first = next((i for i, key in enumerate(ranked[:MRR_DEPTH], 1) if key in wanted), None)
    return len(found) / len(wanted), (1 / first if first else 0.0), bool(found)


def run_mode(
    search: HybridPolicySearch, queries: Sequence[RetrievalQuery], mode: SearchMode
) -> list[Outcome]:
    def retrieve(item: RetrievalQuery) -> list[SearchHit]:
        # As the agent searches: the region both filters and joins the rewritten query.
        scope = TenantScope(client_id=item.client_id, region=item.region)
        context = QueryContext(region=item.region)
        return search.retrieve(item.query, scope, top_k=MRR_DEPTH, context=context, mode=mode)

    for item in queries[:WARMUP_QUERIES]:
        retrieve(item)
    outcomes = []
    for item in queries:
        started = time.perf_counter()
        hits = retrieve(item)
        elapsed = (time.perf_counter() - started) * 1000
        recall, rr, hit = score(item, hits)
        outcomes.append(Outcome(item.kind or "all", recall, rr, hit, elapsed))
    return outcomes


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome.kind].append(outcome)
    latencies = [o.latency_ms for o in outcomes]
    return {
        "recall_at_5": _mean(o.recall for o in outcomes),
        "mrr": _mean(o.reciprocal_rank for o in outcomes),
        "hit_at_5": _mean(float(o.hit) for o in outcomes),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "by_kind": {
            kind: {
                "recall_at_5": _mean(o.recall for o in group),
                "mrr": _mean(o.reciprocal_rank for o in group),
            }
            for kind, group in sorted(by_kind.items())
        },
    }


def _mean(values: Any) -> float:
    items = list(values)
    return round(sum(items) / len(items), 4) if items else 0.0


def build_index(
    kb_dir: Path, queries: Sequence[RetrievalQuery], external_dir: Path | None, workdir: Path
) -> tuple[HybridPolicySearch, dict[str, int], float]:
    """A fresh collection in `workdir` holding the KB (and any external client the queries
    name), and the production search over it (its reranker's token cache in `workdir` too)."""
    documents = read_kb(kb_dir)
    kb_clients = {d.meta.client_id for d in documents}
    missing = {q.client_id for q in queries} - kb_clients
    if missing and external_dir is not None:
        documents += external_documents(external_dir, missing)
    chunks = chunk_documents(documents)
    # Every mode is measured, whatever OSA_POLICY_RERANK says for serving.
    settings = RetrievalSettings.load({"cache_dir": workdir / "cache", "reranker": True})
    store = PolicyStore(str(workdir / "eval.db"))
    store.ensure_collection()
    search = HybridPolicySearch.from_settings(settings, store=store)
    started = time.perf_counter()
    plan, _ = ingest_chunks(chunks, store, search.encoder)  # type: ignore[arg-type]
    return search, plan.counts(), time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--external-data", type=Path, default=default_shared_data_dir())
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    queries = read_queries(args.queries)
    with tempfile.TemporaryDirectory(prefix="osa-retrieval-eval-") as tmp:
        search, counts, ingest_s = build_index(args.kb, queries, args.external_data, Path(tmp))
        try:
            print(f"ingested {counts['added']} chunks in {ingest_s:.1f} s; {len(queries)} queries")
            modes = [m for m in MODES if search.reranker or m is not SearchMode.HYBRID_RERANK]
            results = {mode.value: summarise(run_mode(search, queries, mode)) for mode in modes}
        finally:
            search.store.close()

    rows = [
        (mode, r["recall_at_5"], r["mrr"], r["hit_at_5"], r["p50_ms"], r["p95_ms"])
        for mode, r in results.items()
    ]
    print(format_table(["mode", "recall@5", "MRR", "hit@5", "p50 ms", "p95 ms"], rows))
    kinds = sorted({k for r in results.values() for k in r["by_kind"]})
    if kinds != ["all"]:
        print()
        kind_rows = [
            (
                kind,
                *(
                    f"{results[m.value]['by_kind'][kind]['recall_at_5']:.3f} / "
                    f"{results[m.value]['by_kind'][kind]['mrr']:.3f}"
                    for m in modes
                ),
            )
            for kind in kinds
        ]
        print(format_table(["kind (recall@5 / MRR)", *(m.value for m in modes)], kind_rows))
    for result in results.values():
        result.pop("hit_at_5")
    if args.json:
        print_json_last_line({"modes": results})
    else:
        best = max(results, key=lambda m: results[m]["mrr"])
        print(
            f"best {best}: recall@5 {results[best]['recall_at_5']:.3f}, "
            f"MRR {results[best]['mrr']:.3f}, p95 {results[best]['p95_ms']:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
