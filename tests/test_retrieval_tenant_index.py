"""The per-tenant in-process index (the Milvus Lite serving path) against real Milvus Lite.

No model: chunks carry seeded unit vectors, so these run in seconds. Pinned here: the
in-process legs rank as the store's own Milvus legs do; a chunk of another tenant or region
never comes back; SKU-9942-A and SKU-9942-B stay apart in both BM25 fields; a write made
through the store (by any process: the copy only trusts the version token stored in Milvus)
is seen by the next query of every cache; the settings pick the path explicitly.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from app.retrieval.chunking import KbChunk, content_hash
from app.retrieval.identifiers import identifier_text
from app.retrieval.scope import TenantScope
from app.retrieval.settings import IndexChoice, RetrievalSettings
from app.retrieval.store import CrossTenantHit, PolicyStore
from app.retrieval.tenant_index import InProcessIndex, TenantIndex, text_tokens

DIM = 384
SECTIONS = [
    ("Return windows", "Electronics can be returned within {d} days of delivery."),
    ("Refund timing", "Refunds reach your card within {d} working days after we get the item."),
    ("Damaged parcels", "Report a damaged parcel within {d} hours with photos of the box."),
    ("SKU-9942-A stand", "The silver stand SKU-9942-A can be returned within {d} days."),
    ("SKU-9942-B stand", "The space grey stand SKU-9942-B can be returned within {d} days."),
    ("Gift cards", "Gift cards are not refundable and never expire, for {d} years."),
    ("Restocking fee", "Opened items carry a restocking fee of {d} percent."),
    ("Exchanges", "Exchange an item for another size within {d} days, free of charge."),
]


def unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def chunk(client: str, index: int, *, region: str = "ALL", days: int = 30) -> KbChunk:
    section, body = SECTIONS[index % len(SECTIONS)]
    text = f"{client} policy — {section}\n\n{body.format(d=days)}"
    return KbChunk(
        chunk_id=f"{client}-{index:03d}",
        client_id=client,
        region=region,
        product_category="all",
        policy_version="2026.1",
        effective_date=date(2026, 1, 12),
        title=f"{client} policy",
        source_doc=f"{client}/policy.md",
        section=section,
        ordinal=0,
        text=text,
        identifiers=identifier_text(text),
        token_count=20,
        content_hash=content_hash(text),
    )


def corpus(client: str, *, regions: tuple[str, ...] = ("ALL",)) -> list[KbChunk]:
    return [
        chunk(client, i, region=regions[i % len(regions)], days=14 + i)
        for i in range(len(SECTIONS))
    ]


def write(store: PolicyStore, chunks: list[KbChunk], seed: int = 0) -> None:
    store.upsert(chunks, np.stack([unit(seed + int(c.chunk_id[-3:])) for c in chunks]))
    store.flush()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[PolicyStore]:
    with PolicyStore(str(tmp_path / "policy.db")) as opened:
        opened.ensure_collection()
        yield opened


# ---------------------------------------------------------------- same ranking as Milvus's legs


def test_in_process_legs_rank_as_the_stores_milvus_legs(store: PolicyStore) -> None:
    # One tenant: Milvus Lite's per-segment BM25 statistics are then this tenant's too.
    write(store, corpus("globex"))
    index = InProcessIndex(store)
    scope = TenantScope(client_id="globex", region="UK")
    for seed in range(5):
        query = unit(seed) * 0.6 + unit(100 + seed) * 0.4
        assert [h.chunk_id for h in index.search_dense(scope, query, 5)] == [
            h.chunk_id for h in store.search_dense(scope, query, 5)
        ]
    for text in ("returned within days", "refund card", "SKU-9942-B stand", "gift cards expire"):
        ours, milvus = index.search_bm25(scope, text, 5), store.search_bm25(scope, text, 5)
        assert [h.chunk_id for h in ours] == [h.chunk_id for h in milvus], text
        # The same Lucene BM25 scores (Milvus Lite's, un-negated).
        np.testing.assert_allclose([h.score for h in ours], [h.score for h in milvus], rtol=1e-4)
    hybrid = {
        "text": "can I return the SKU-9942-B stand",
        "vector": unit(4),
        "identifiers": ["sku9942b", "9942b"],
        "limit": 5,
        "leg_limit": 30,
    }
    ours_h, milvus_h = index.search_hybrid(scope, **hybrid), store.search_hybrid(scope, **hybrid)
    assert [h.chunk_id for h in ours_h] == [h.chunk_id for h in milvus_h]
    np.testing.assert_allclose([h.score for h in ours_h], [h.score for h in milvus_h], rtol=1e-6)


# ---------------------------------------------------------------- identifiers


def test_sku_9942_b_and_its_look_alike_a_stay_apart(store: PolicyStore) -> None:
    write(store, corpus("globex"))
    index = InProcessIndex(store)
    scope = TenantScope(client_id="globex", region="US")
    [only] = index.search_identifiers(scope, ["sku9942b"], 10)
    assert only.section == "SKU-9942-B stand"
    assert index.search_identifiers(scope, ["sku9942c"], 10) == []
    # The one-character token survives tokenisation, so the text leg prefers B as well.
    assert text_tokens("SKU-9942-B") == ["sku", "9942", "b"]
    hits = index.search_bm25(scope, "return SKU-9942-B", 10)
    sections = [h.section for h in hits]
    assert sections[0] == "SKU-9942-B stand"
    assert hits[0].score > hits[sections.index("SKU-9942-A stand")].score
    fused = index.search_hybrid(
        scope,
        text="return SKU-9942-B",
        vector=unit(3),  # the vector of the A chunk: only the text legs can put B first
        identifiers=["sku9942b", "9942b"],
        limit=3,
        leg_limit=30,
    )
    assert fused[0].section == "SKU-9942-B stand"


# ---------------------------------------------------------------- tenants and regions


def test_a_tenants_query_never_returns_another_tenants_or_regions_chunk(
    store: PolicyStore,
) -> None:
    # Identical texts for both tenants (only the client name differs), regions mixed.
    write(store, corpus("globex", regions=("ALL", "UK", "US")))
    write(store, corpus("kestrel", regions=("ALL", "UK", "US")), seed=0)
    index = InProcessIndex(store)
    for client in ("globex", "kestrel"):
        own = {s.chunk_id: s.region for s in store.stored_chunks([client])}
        for region in ("UK", "US", "EU", None):
            scope = TenantScope(client_id=client, region=region)
            allowed = {cid for cid, r in own.items() if region is None or r in ("ALL", region)}
            results = [
                index.search_dense(scope, unit(1), 20),
                index.search_bm25(scope, "globex kestrel policy returned within days", 20),
                index.search_identifiers(scope, ["sku9942a", "sku9942b"], 20),
                index.search_hybrid(
                    scope,
                    text="kestrel globex SKU-9942-B",
                    vector=unit(2),
                    identifiers=["sku9942b"],
                    limit=20,
                    leg_limit=30,
                ),
            ]
            for hits in results:
                assert {h.client_id for h in hits} <= {client}
                assert {h.chunk_id for h in hits} <= allowed
            assert {h.chunk_id for h in results[0]} == allowed  # dense sees every allowed row


def test_the_index_refuses_a_search_without_a_scope_and_rows_of_another_tenant(
    store: PolicyStore,
) -> None:
    write(store, corpus("globex"))
    index = InProcessIndex(store)
    with pytest.raises(TypeError):
        index.search_bm25("globex", "refunds", 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        index.search_dense('client_id != ""', unit(0), 3)  # type: ignore[arg-type]
    rows = store.tenant_rows(TenantScope(client_id="globex"))
    foreign = {**rows[0], "client_id": "kestrel"}
    with pytest.raises(CrossTenantHit):
        TenantIndex.build("globex", "v1", [*rows, foreign])


def test_an_empty_tenant_and_a_query_with_unknown_words_return_nothing(
    store: PolicyStore,
) -> None:
    write(store, corpus("globex"))
    index = InProcessIndex(store)
    empty = TenantScope(client_id="nobody", region="UK")
    assert index.search_dense(empty, unit(0), 5) == []
    assert (
        index.search_hybrid(
            empty, text="refund", vector=unit(0), identifiers=[], limit=5, leg_limit=30
        )
        == []
    )
    globex = TenantScope(client_id="globex", region="UK")
    assert index.search_bm25(globex, "zzzz qqqq", 5) == []
    assert index.search_bm25(globex, "", 5) == []


def test_a_tenant_larger_than_one_query_window_is_read_whole(
    store: PolicyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.retrieval.store as store_module

    write(store, corpus("globex"))
    write(store, corpus("kestrel"))
    monkeypatch.setattr(store_module, "QUERY_WINDOW", 3)  # paged by key from here on
    rows = store.tenant_rows(TenantScope(client_id="globex", region="UK"))
    assert sorted(r["chunk_id"] for r in rows) == [f"globex-{i:03d}" for i in range(8)]
    assert {len(r["dense"]) for r in rows} == {DIM}


# ---------------------------------------------------------------- freshness


def test_a_write_through_any_store_handle_invalidates_every_cache(store: PolicyStore) -> None:
    write(store, corpus("globex"))
    write(store, corpus("kestrel"))
    # Two caches over one store stand for two replicas: neither hears of the write, both see
    # it through the tenant's version token in Milvus.
    replicas = [InProcessIndex(store), InProcessIndex(store)]
    scope = TenantScope(client_id="globex", region="UK")
    for replica in replicas:
        replica.search_bm25(scope, "refund", 3)
        replica.search_bm25(TenantScope(client_id="kestrel"), "refund", 3)
        replica.search_bm25(scope, "refund", 3)
        assert replica.builds == 2  # one per tenant: an unchanged token reuses the copy

    edited = chunk("globex", 1, days=3).model_copy(
        update={"text": "globex policy — Refund timing\n\nRefunds now take 3 quokka days."}
    )
    store.upsert([edited], unit(1)[None, :])
    store.flush()
    for replica in replicas:
        [hit] = replica.search_bm25(scope, "quokka", 3)
        assert hit.chunk_id == "globex-001" and "3 quokka days" in hit.text
        assert replica.builds == 3
        replica.search_bm25(TenantScope(client_id="kestrel"), "refund", 3)
        assert replica.builds == 3  # the other tenant's copy is still current

    store.delete(["globex-001"])
    for replica in replicas:
        assert replica.search_bm25(scope, "quokka", 3) == []
        assert "globex-001" not in {h.chunk_id for h in replica.search_dense(scope, unit(1), 20)}


@pytest.mark.slow  # starts a milvus-lite server and a second Python process
def test_a_write_from_another_process_is_seen_by_the_next_query(tmp_path: Path) -> None:
    """Two processes on one `milvus-lite server`: this one serves in process, the other
    ingests; nothing but Milvus connects them."""
    from app.sessions.local_redis import free_port

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("milvus-lite")),
            "server",
            "--data-dir",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    uri = f"http://127.0.0.1:{port}"
    try:
        store = _connect(uri)
        store.ensure_collection()
        write(store, corpus("globex"))
        settings = RetrievalSettings(milvus_uri=uri, index=IndexChoice.IN_PROCESS)
        assert settings.serves_in_process
        index = InProcessIndex(store)
        scope = TenantScope(client_id="globex", region="UK")
        assert index.search_bm25(scope, "wombat", 3) == []
        writer = textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(Path(__file__).parent)!r})
            from test_retrieval_tenant_index import chunk, unit
            from app.retrieval.store import PolicyStore
            store = PolicyStore({uri!r})
            store.ensure_collection()
            edited = chunk("globex", 2).model_copy(update={{"text": "wombat parcels"}})
            store.upsert([edited], unit(2)[None, :])
            store.flush()
            store.close()
            """
        )
        subprocess.run(
            [sys.executable, "-c", writer],
            check=True,
            timeout=120,
            cwd=Path(__file__).resolve().parents[1],
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )
        [hit] = index.search_bm25(scope, "wombat", 3)
        assert hit.chunk_id == "globex-002" and index.builds == 2
        store.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def _connect(uri: str) -> PolicyStore:
    deadline = time.monotonic() + 30
    while True:
        try:
            return PolicyStore(uri)
        except Exception:  # the server binds within a few seconds
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


# ---------------------------------------------------------------- which path serves


@pytest.mark.parametrize(
    ("uri", "choice", "in_process"),
    [
        ("/tmp/x/policy.db", IndexChoice.AUTO, True),
        ("http://milvus:19530", IndexChoice.AUTO, False),
        ("http://127.0.0.1:19530", IndexChoice.IN_PROCESS, True),
        ("/tmp/x/policy.db", IndexChoice.MILVUS, False),
    ],
)
def test_settings_pick_the_serving_path_explicitly(
    uri: str, choice: IndexChoice, in_process: bool
) -> None:
    assert RetrievalSettings(milvus_uri=uri, index=choice).serves_in_process is in_process


def test_osa_policy_index_selects_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_URI", "http://milvus:19530")
    assert not RetrievalSettings.load().serves_in_process
    monkeypatch.setenv("OSA_POLICY_INDEX", "in_process")
    assert RetrievalSettings.load().serves_in_process
    monkeypatch.setenv("OSA_POLICY_INDEX", "sometimes")
    with pytest.raises(ValueError):
        RetrievalSettings.load()
