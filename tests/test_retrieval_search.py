"""Policy retrieval against real Milvus Lite and the real MiniLM model (no mocks).

Two tenants with deliberately near-identical policies (same files, same headings, same
sentences, different numbers and codes): a client's query never returns the other's chunk.
Also: SKU-9942-B beats SKU-9942-A, the region filter, the filter that cannot be omitted, the
`search_policy_kb` tool, incremental re-indexing, the CLI dry run and the eval's JSON line.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from app.kb import main as kb_main
from app.platform.client import CustomerRef, PlatformClient
from app.retrieval.chunking import chunk_documents
from app.retrieval.embedder import MiniLmEmbedder
from app.retrieval.ingest import ingest_chunks
from app.retrieval.kb_format import read_kb
from app.retrieval.scope import TenantScope
from app.retrieval.search import HybridPolicySearch, SearchMode
from app.retrieval.settings import IndexChoice, RetrievalSettings
from app.retrieval.store import PolicyStore
from app.retrieval.tenant_index import InProcessIndex
from app.tools import AgentTier, ToolContext, ToolExecutor, ToolFailure, ToolSuccess
from evals.retrieval import main as eval_main

pytestmark = pytest.mark.slow

TENANTS = {
    # client: (display name, code prefix, window of SKU-9942-A, of SKU-9942-B, electronics days)
    "globex": ("Globex Electronics", "GBX", 30, 14, 15),
    "kestrel": ("Kestrel Home", "KHL", 45, 21, 30),
}


def front(client: str, title: str, region: str = "ALL", version: str = "2026.1") -> str:
    return (
        f'---\nclient_id: {client}\nregion: {region}\npolicy_version: "{version}"\n'
        f"product_category: all\neffective_date: 2026-01-12\ntitle: {title}\n---\n"
    )


def write_kb(root: Path) -> Path:
    """The same four documents for each tenant, differing only in names, numbers and codes."""
    for client, (name, code, days_a, days_b, electronics) in TENANTS.items():
        folder = root / client
        folder.mkdir(parents=True)
        (folder / "returns.md").write_text(
            front(client, f"{name} returns") + "## Return windows\n"
            f"Electronics can be returned within {electronics} days of delivery. Gold members "
            "get extra days on top of the standard window.\n\n"
            "## Refund timing\n"
            "Refunds reach your card within 5 to 10 working days after we receive the item.\n\n"
            "## Damaged parcels\n"
            "If a parcel arrives damaged, report it within 48 hours with photos of the box.\n"
        )
        (folder / "laptop-stands.md").write_text(
            front(client, f"{name} laptop stands (SKU-9942-A and SKU-9942-B)")
            + "## SKU-9942-A: ErgoLift Laptop Stand (Silver)\n"
            f"The silver ErgoLift stand SKU-9942-A can be returned within {days_a} days of "
            f"delivery in every region and tier (policy {code}-9942-A-R{days_a}).\n\n"
            "## SKU-9942-B: ErgoLift Laptop Stand (Space Grey)\n"
            f"The space grey ErgoLift stand SKU-9942-B can be returned within {days_b} days of "
            f"delivery in every region and tier (policy {code}-9942-B-R{days_b}).\n"
        )
        (folder / "uk-rights.md").write_text(
            front(client, f"{name} UK statutory rights", region="UK") + "## Faulty goods\n"
            "Under the Consumer Rights Act you can reject faulty goods within 30 days.\n"
        )
        (folder / "us-sales-tax.md").write_text(
            front(client, f"{name} US sales tax on refunds", region="US") + "## Sales tax\n"
            "State sales tax is refunded together with the item price.\n"
        )
    return root


@pytest.fixture(scope="module")
def kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kb(tmp_path_factory.mktemp("kb"))


@pytest.fixture(scope="module")
def search(kb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HybridPolicySearch]:
    tmp = tmp_path_factory.mktemp("milvus")
    settings = RetrievalSettings(milvus_uri=str(tmp / "policy.db"), cache_dir=tmp / "cache")
    store = PolicyStore(settings.milvus_uri)
    store.ensure_collection()
    search = HybridPolicySearch.from_settings(settings, store=store)
    ingest_chunks(chunk_documents(read_kb(kb_dir)), store, search.encoder)  # type: ignore[arg-type]
    yield search
    store.close()


def tenant_ids(search: HybridPolicySearch, client_id: str) -> set[str]:
    return {s.chunk_id for s in search.store.stored_chunks([client_id])}


ALL_MODES = list(SearchMode)


# ---------------------------------------------------------------- identifiers


@pytest.mark.parametrize("mode", [SearchMode.HYBRID, SearchMode.HYBRID_RERANK])
@pytest.mark.parametrize("client_id", sorted(TENANTS))
@pytest.mark.parametrize(
    "query",
    [
        "How long do I have to return SKU-9942-B?",
        "can I still send back the 9942-B stand",
        "return window for the ErgoLift stand SKU-9942-B in grey",
    ],
)
def test_sku_9942_b_beats_its_look_alike_a(
    search: HybridPolicySearch, client_id: str, mode: SearchMode, query: str
) -> None:
    hits = search.retrieve(query, TenantScope(client_id=client_id, region="UK"), top_k=5, mode=mode)
    sections = [h.section for h in hits]
    assert sections[0].startswith("SKU-9942-B")
    if any(s.startswith("SKU-9942-A") for s in sections):
        assert (
            hits[0].score > hits[sections.index(next(s for s in sections if "9942-A" in s))].score
        )


def test_a_policy_code_finds_its_own_section(search: HybridPolicySearch) -> None:
    hits = search.retrieve(
        "what does KHL-9942-A-R45 mean", TenantScope(client_id="kestrel"), top_k=3
    )
    assert hits[0].section.startswith("SKU-9942-A")


# ---------------------------------------------------------------- in process vs Milvus's own


def test_lite_is_served_in_process_with_the_same_top_results_as_milvus_hybrid_search(
    search: HybridPolicySearch,
) -> None:
    assert isinstance(search.legs, InProcessIndex)  # the embedded default
    server_side = HybridPolicySearch(search.store, search.encoder, search.reranker)
    assert server_side.legs is search.store
    queries = [
        "How long do I have to return SKU-9942-B?",
        "when will my refund arrive",
        "my parcel arrived damaged",
        "Consumer Rights Act faulty goods",
        "is sales tax refunded",
    ]
    for client_id, (_, code, days_a, _, _) in TENANTS.items():
        for region in ("UK", "US", None):
            scope = TenantScope(client_id=client_id, region=region)
            for query in [*queries, f"what does {code}-9942-A-R{days_a} mean"]:
                for mode in (SearchMode.HYBRID, SearchMode.DENSE, SearchMode.HYBRID_RERANK):
                    ours = search.retrieve(query, scope, top_k=3, mode=mode)
                    theirs = server_side.retrieve(query, scope, top_k=3, mode=mode)
                    # Exact RRF ties (rank 1 + 2 against rank 2 + 1) may come in either order.
                    best = [h.chunk_id for h in theirs if abs(h.score - theirs[0].score) < 1e-9]
                    assert ours[0].chunk_id in best, (client_id, query, region, mode)
                    if mode is not SearchMode.HYBRID_RERANK:  # the rerank prior sees tie order
                        assert abs(ours[0].score - theirs[0].score) < 1e-4
                        assert {h.chunk_id for h in ours} == {h.chunk_id for h in theirs}


def test_a_milvus_server_uri_is_served_by_milvus_hybrid_search(
    search: HybridPolicySearch, tmp_path: Path
) -> None:
    server = RetrievalSettings(milvus_uri="http://milvus:19530", cache_dir=tmp_path)
    assert HybridPolicySearch.from_settings(server, store=search.store).legs is search.store
    forced = server.model_copy(update={"index": IndexChoice.IN_PROCESS})
    legs = HybridPolicySearch.from_settings(forced, store=search.store).legs
    assert isinstance(legs, InProcessIndex) and legs.store is search.store


def test_a_kb_edit_applied_on_one_replica_is_searched_by_every_replica(
    tmp_path: Path, kb_dir: Path
) -> None:
    from app.retrieval.admin import KbAdmin

    settings = RetrievalSettings(milvus_uri=str(tmp_path / "policy.db"), cache_dir=tmp_path / "c")
    with PolicyStore(settings.milvus_uri) as store:
        store.ensure_collection()
        editor = HybridPolicySearch.from_settings(settings, store=store)
        ingest_chunks(chunk_documents(read_kb(kb_dir)), store, editor.encoder)  # type: ignore[arg-type]
        # Another replica: its own in-process copies, told nothing about the edit.
        other = HybridPolicySearch.from_settings(settings, store=store)
        scope = TenantScope(client_id="kestrel", region="UK")
        for engine in (editor, other):
            assert (
                "5 to 10 working days"
                in engine.retrieve("when is my refund paid", scope, top_k=1)[0].text
            )
        source = (kb_dir / "kestrel" / "returns.md").read_text()
        edited = source.replace("5 to 10 working days", "2 working days")
        answer = KbAdmin(editor, None).call(
            "apply", {"client_id": "kestrel", "name": "returns.md", "markdown": edited}
        )
        assert answer["counts"]["changed"] == 1, answer
        for engine in (editor, other):
            [hit] = engine.retrieve("when is my refund paid", scope, top_k=1)
            assert "2 working days" in hit.text and hit.client_id == "kestrel"
        globex = TenantScope(client_id="globex", region="UK")
        assert (
            "5 to 10 working days"
            in other.retrieve("when is my refund paid", globex, top_k=1)[0].text
        )


# ---------------------------------------------------------------- tenant isolation


@pytest.mark.parametrize("mode", ALL_MODES)
def test_a_clients_query_never_returns_another_clients_chunk(
    search: HybridPolicySearch, mode: SearchMode
) -> None:
    queries = [
        "How long do I have to return SKU-9942-B?",
        "Kestrel Home laptop stand rules KHL-9942-B-R21",  # the other tenant's own words
        "Globex Electronics returns GBX-9942-A-R30",
        "when will my refund arrive",
        "my parcel arrived damaged",
    ]
    for client_id in TENANTS:
        own = tenant_ids(search, client_id)
        for query in queries:
            for region in ("UK", "EU", None):
                scope = TenantScope(client_id=client_id, region=region)
                hits = search.retrieve(query, scope, top_k=10, mode=mode)
                assert hits, query
                assert {h.client_id for h in hits} == {client_id}
                assert {h.chunk_id for h in hits} <= own


def test_near_identical_tenants_answer_with_their_own_numbers(search: HybridPolicySearch) -> None:
    for client_id, (_, code, _, days_b, _) in TENANTS.items():
        [hit] = search.retrieve(
            "SKU-9942-B return window", TenantScope(client_id=client_id, region="EU"), top_k=1
        )
        assert f"within {days_b} days" in hit.text and f"{code}-9942-B" in hit.text


# ---------------------------------------------------------------- regions


def test_region_documents_match_their_region_and_all_region_documents_match_every_region(
    search: HybridPolicySearch,
) -> None:
    def docs(region: str) -> set[str]:
        hits = search.retrieve(
            "faulty goods, sales tax, refunds and returns",
            TenantScope(client_id="globex", region=region),
            top_k=10,
            mode=SearchMode.BM25,
        )
        return {h.source_doc for h in hits}

    assert "globex/uk-rights.md" in docs("UK") and "globex/us-sales-tax.md" not in docs("UK")
    assert "globex/us-sales-tax.md" in docs("US") and "globex/uk-rights.md" not in docs("US")
    eu = docs("EU")
    assert eu == {"globex/returns.md", "globex/laptop-stands.md"}


# ---------------------------------------------------------------- the filter cannot be omitted


async def test_search_cannot_run_without_a_valid_client(search: HybridPolicySearch) -> None:
    with pytest.raises(TypeError):
        await search.search("refunds", region="UK", top_k=3)  # type: ignore[call-arg]
    for forged in ("", 'globex" or client_id != "', "globex || true", "GLOBEX"):
        with pytest.raises(ValidationError):
            await search.search("refunds", client_id=forged, region="UK", top_k=3)
    with pytest.raises(TypeError):
        search.store.search_bm25('client_id != ""', "refunds", 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        search.retrieve("refunds", "globex", top_k=3)  # type: ignore[arg-type]


# ---------------------------------------------------------------- PolicySearch and the tool


async def test_search_policy_kb_tool_searches_the_tokens_client_only(
    search: HybridPolicySearch,
) -> None:
    platform = PlatformClient("http://127.0.0.1:9", "unused")  # the policy tool never calls it
    ctx = ToolContext(
        who=CustomerRef(client_id="kestrel", customer_id="CUS-000001"),
        session_id=f"sess-{uuid.uuid4().hex[:12]}",
        platform=platform,
        policy_search=search,
    )
    query = "return window for SKU-9942-B"
    try:
        executor = ToolExecutor()
        # Arguments naming another client never reach the search...
        forged = await executor.execute(
            ctx,
            AgentTier.POLICY,
            "search_policy_kb",
            {"query": query, "client_id": "globex", "region": "UK"},
        )
        result = await executor.execute(
            ctx,
            AgentTier.POLICY,
            "search_policy_kb",
            {"query": query, "client_id": "kestrel", "region": "UK"},
        )
    finally:
        await platform.aclose()
    assert isinstance(forged, ToolFailure) and forged.code == "invalid_arguments"
    # ... and the search itself takes the client from the verified identity.
    assert isinstance(result, ToolSuccess)
    chunks = result.output.chunks  # type: ignore[attr-defined]
    assert chunks and all(c.chunk_id in tenant_ids(search, "kestrel") for c in chunks)
    assert chunks[0].section.startswith("SKU-9942-B") and "21 days" in chunks[0].text
    assert chunks[0].policy_version == "2026.1"


# ---------------------------------------------------------------- incremental re-index


class RecordingEncoder:
    """The real embedder, remembering which texts it was asked to embed."""

    def __init__(self, inner: MiniLmEmbedder) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def embed_chunks(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed_chunks(texts)


def test_reingest_embeds_only_changed_sections_and_deletes_removed_documents(
    tmp_path: Path, search: HybridPolicySearch
) -> None:
    kb = write_kb(tmp_path / "kb")
    chunks = chunk_documents(read_kb(kb))
    encoder = RecordingEncoder(MiniLmEmbedder(search.encoder.encoder))  # type: ignore[attr-defined]
    with PolicyStore(str(tmp_path / "policy.db")) as store:
        store.ensure_collection()
        ingest_chunks(chunks, store, encoder)
        assert store.count() == len(chunks)

        # Nothing changed: nothing embedded, nothing written.
        encoder.texts.clear()
        plan, report = ingest_chunks(chunk_documents(read_kb(kb)), store, encoder)
        assert plan.is_noop and encoder.texts == [] and report is not None

        # One section changed: exactly its chunk is embedded again.
        returns = kb / "globex" / "returns.md"
        returns.write_text(returns.read_text().replace("5 to 10 working days", "3 working days"))
        plan, report = ingest_chunks(chunk_documents(read_kb(kb)), store, encoder)
        assert plan.counts()["changed"] == 1 and plan.counts()["added"] == 0
        [changed] = plan.changed
        assert (changed.source_doc, changed.section) == ("globex/returns.md", "Refund timing")
        assert report is not None and report.embedded_chunk_ids == [changed.chunk_id]
        assert encoder.texts == [changed.text]
        scope = TenantScope(client_id="globex", region="UK")
        refreshed = search_in(store, search, "when does my refund arrive", scope)
        assert "3 working days" in refreshed[0].text

        # A version bump without a content change: rewritten, not embedded, and visible.
        encoder.texts.clear()
        stands = kb / "kestrel" / "laptop-stands.md"
        stands.write_text(stands.read_text().replace('"2026.1"', '"2026.2"'))
        plan, _ = ingest_chunks(chunk_documents(read_kb(kb)), store, encoder)
        assert plan.counts()["retagged"] == 2 and encoder.texts == []
        assert [(v.source_doc, v.old, v.new) for v in plan.version_changes] == [
            ("kestrel/laptop-stands.md", "2026.1", "2026.2")
        ]
        versions = {
            s.policy_version
            for s in store.stored_chunks(["kestrel"])
            if s.source_doc == "kestrel/laptop-stands.md"
        }
        assert versions == {"2026.2"}

        # A removed document: its chunks are deleted and never found again.
        gone = {c.chunk_id for c in chunks if c.source_doc == "globex/uk-rights.md"}
        (kb / "globex" / "uk-rights.md").unlink()
        plan, report = ingest_chunks(chunk_documents(read_kb(kb)), store, encoder)
        assert report is not None and set(report.deleted_chunk_ids) == gone
        assert not gone & {s.chunk_id for s in store.stored_chunks(["globex", "kestrel"])}
        hits = search_in(store, search, "Consumer Rights Act faulty goods", scope, top_k=10)
        assert not gone & {h.chunk_id for h in hits}
        # ... and the other tenant's copy of the same document is untouched.
        assert "kestrel/uk-rights.md" in {s.source_doc for s in store.stored_chunks(["kestrel"])}


def search_in(
    store: PolicyStore, search: HybridPolicySearch, query: str, scope: TenantScope, top_k: int = 3
) -> list:  # type: ignore[type-arg]
    other = HybridPolicySearch(store, search.encoder, search.reranker)
    return other.retrieve(query, scope, top_k=top_k)


def test_dry_run_prints_the_diff_and_writes_nothing(
    tmp_path: Path, kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = str(tmp_path / "policy.db")
    assert kb_main(["ingest", str(kb_dir), "--dry-run", "--no-external", "--milvus-uri", uri]) == 0
    out = capsys.readouterr().out
    assert "added 14," in out and "dry run: nothing written" in out
    assert "version globex/returns.md: (new) -> 2026.1" in out
    assert "+ kestrel/laptop-stands.md § SKU-9942-B: ErgoLift Laptop Stand (Space Grey) #0" in out
    with PolicyStore(uri) as store:
        store.ensure_collection()
        assert store.count() == 0


# ---------------------------------------------------------------- the eval's machine-readable line


def test_retrieval_eval_reports_every_mode_as_json(
    tmp_path: Path, kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "queries.jsonl"
    rows = [
        (
            "SKU-9942-B window",
            "globex",
            "laptop-stands.md",
            "SKU-9942-B: ErgoLift Laptop Stand (Space Grey)",
            "identifier",
        ),
        (
            "when does the refund reach my card",
            "kestrel",
            "returns.md",
            "Refund timing",
            "semantic",
        ),
        ("Consumer Rights Act", "globex", "uk-rights.md", "Faulty goods", "keyword"),
    ]
    queries.write_text(
        "".join(
            json.dumps(
                {
                    "query": q,
                    "client_id": c,
                    "region": "UK",
                    "kind": k,
                    "relevant": [{"source_doc": f"{c}/{doc}", "section": section}],
                }
            )
            + "\n"
            for q, c, doc, section, k in rows
        )
    )
    assert eval_main(["--kb", str(kb_dir), "--queries", str(queries), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(result["modes"]) == {"hybrid_rerank", "hybrid", "dense", "bm25"}
    for figures in result["modes"].values():
        assert set(figures) == {"recall_at_5", "mrr", "p50_ms", "p95_ms", "by_kind"}
        assert set(figures["by_kind"]) == {"identifier", "semantic", "keyword"}
    assert result["modes"]["hybrid_rerank"]["recall_at_5"] == 1.0
