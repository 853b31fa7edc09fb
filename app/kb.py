"""Policy knowledge-base operations: ingest (with a dry-run diff) and manual search.

    python -m app.kb ingest kb [--dry-run] [--milvus-uri URI] [--collection NAME]
                               [--external-data ../shared/data | --no-external] [--recreate]
    python -m app.kb search "how long to return SKU-9942-B" --client globex --region UK
                               [--top-k 5] [--mode hybrid_rerank] [--tier Gold] [--category ...]

`ingest` re-embeds only chunks whose content changed and deletes chunks that disappeared, for
the clients present in the KB (and the external policies: tau2-bench retail as `tau2_retail`,
ABCD's guidelines as `abcd`). `--dry-run` prints the same diff, with every policy_version
change, and writes nothing. MILVUS_URI (default: Milvus Lite at var/milvus/policy.db) selects
the store, like the agent.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from app.retrieval.chunking import chunk_documents
from app.retrieval.external import default_shared_data_dir, external_documents
from app.retrieval.ingest import IngestPlan, ingest_chunks
from app.retrieval.kb_format import KbFormatError, read_kb
from app.retrieval.query import QueryContext
from app.retrieval.scope import TenantScope
from app.retrieval.search import HybridPolicySearch, SearchMode
from app.retrieval.settings import RetrievalSettings
from app.retrieval.store import PolicyStore


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.kb", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="ingest a KB directory (incremental)")
    ingest.add_argument("kb_dir", type=Path)
    ingest.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    ingest.add_argument("--external-data", type=Path, default=default_shared_data_dir())
    ingest.add_argument("--no-external", action="store_true")
    ingest.add_argument("--recreate", action="store_true", help="drop the collection first")
    _store_options(ingest)

    search = commands.add_parser("search", help="search one client's policies")
    search.add_argument("query")
    search.add_argument("--client", required=True)
    search.add_argument("--region")
    search.add_argument("--top-k", type=int, default=5)
    search.add_argument("--mode", choices=[m.value for m in SearchMode])
    search.add_argument("--tier")
    search.add_argument("--category")
    _store_options(search)

    args = parser.parse_args(argv)
    settings = RetrievalSettings.load(
        {"milvus_uri": args.milvus_uri, "collection": args.collection}
    )
    try:
        if args.command == "ingest":
            return _ingest(args, settings)
        return _search(args, settings)
    except KbFormatError as exc:
        print(f"KB format error:\n{exc}", file=sys.stderr)
        return 2


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--milvus-uri", help="Milvus Lite file or server URI (env MILVUS_URI)")
    parser.add_argument("--collection", help="collection name (env OSA_POLICY_COLLECTION)")


def _ingest(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    documents = read_kb(args.kb_dir)
    if not args.no_external:
        kb_clients = {d.meta.client_id for d in documents}
        documents += [
            d for d in external_documents(args.external_data) if d.meta.client_id not in kb_clients
        ]
    chunks = chunk_documents(documents)
    store = PolicyStore(settings.milvus_uri, settings.collection, token=settings.milvus_token)
    try:
        if args.dry_run and args.recreate:
            print("--recreate is ignored in a dry run")
        store.ensure_collection(recreate=args.recreate and not args.dry_run)
        # The search's embedder also caches the reranker's token embeddings as it ingests.
        embedder = HybridPolicySearch.from_settings(settings, store=store).encoder
        plan, report = ingest_chunks(chunks, store, embedder, dry_run=args.dry_run)  # type: ignore[arg-type]
        print(
            f"{len(documents)} documents, {len(chunks)} chunks, clients: {', '.join(plan.clients)}"
        )
        print_plan(plan)
        if report is None:
            print("dry run: nothing written")
        else:
            embedded, deleted = len(report.embedded_chunk_ids), len(report.deleted_chunk_ids)
            print(
                f"embedded {embedded}, deleted {deleted} in {report.seconds:.1f} s; "
                f"{store.count()} chunks stored"
            )
    finally:
        store.close()
    return 0


def print_plan(plan: IngestPlan) -> None:
    counts = plan.counts()
    print(", ".join(f"{name} {value}" for name, value in counts.items()))
    for change in plan.version_changes:
        where = change.source_doc
        if not where.startswith(f"{change.client_id}/"):
            where = f"{change.client_id}:{where}"
        print(f"  version {where}: {change.old or '(new)'} -> {change.new or '(removed)'}")
    for sign, chunks in (("+", plan.added), ("~", plan.changed), ("*", plan.retagged)):
        for chunk in chunks:
            print(f"  {sign} {chunk.source_doc} § {chunk.section} #{chunk.ordinal}")
    for stored in plan.removed:
        print(f"  - {stored.source_doc} § {stored.section}")


def _search(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    store = PolicyStore(settings.milvus_uri, settings.collection, token=settings.milvus_token)
    try:
        store.ensure_collection()
        search = HybridPolicySearch.from_settings(settings, store=store)
        scope = TenantScope(client_id=args.client, region=args.region)
        context = QueryContext(tier=args.tier, region=args.region, category=args.category)
        mode = SearchMode(args.mode) if args.mode else None
        hits = search.retrieve(args.query, scope, top_k=args.top_k, context=context, mode=mode)
        for rank, hit in enumerate(hits, start=1):
            print(f"{rank}. {hit.score:.4f}  {hit.source_doc} § {hit.section}  [{hit.chunk_id}]")
            print("   " + " ".join(hit.text.split())[:300])
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
