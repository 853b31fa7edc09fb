"""Incremental ingestion: diff the KB's chunks against the store, embed only what changed.

A re-ingest covers the clients present in the new chunks (a KB directory that lacks a client
never touches that client's chunks). Against what the store holds for them:

- added: a chunk id the store lacks; changed: same id, other content hash. Both are embedded.
- retagged: same content, other metadata (policy_version, region, ...): rewritten with the
  stored vector, never embedded again.
- removed: stored chunks of those clients that the KB no longer has: deleted.

`plan_ingest` only compares; `apply_plan` writes. A dry run prints the plan (with every
policy_version change per document) so a change is seen before it goes live.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from app.retrieval.chunking import KbChunk
from app.retrieval.store import PolicyStore, StoredChunk

_METADATA = ("region", "product_category", "policy_version", "title", "source_doc", "section")


class ChunkEncoder(Protocol):
    def embed_chunks(self, texts: Sequence[str]) -> np.ndarray: ...


class VersionChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    client_id: str
    source_doc: str
    old: str | None  # None: a new document
    new: str | None  # None: a removed document


class IngestPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    clients: list[str]
    added: list[KbChunk] = Field(default_factory=list)
    changed: list[KbChunk] = Field(default_factory=list)
    retagged: list[KbChunk] = Field(default_factory=list)
    removed: list[StoredChunk] = Field(default_factory=list)
    unchanged: int = 0
    version_changes: list[VersionChange] = Field(default_factory=list)

    @property
    def to_embed(self) -> list[KbChunk]:
        return [*self.added, *self.changed]

    @property
    def is_noop(self) -> bool:
        return not (self.added or self.changed or self.retagged or self.removed)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "retagged": len(self.retagged),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
        }


class IngestReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    counts: dict[str, int]
    embedded_chunk_ids: list[str]
    deleted_chunk_ids: list[str]
    seconds: float


def plan_ingest(chunks: Sequence[KbChunk], stored: Sequence[StoredChunk]) -> IngestPlan:
    new_by_id: dict[str, KbChunk] = {}
    for chunk in chunks:
        if chunk.chunk_id in new_by_id:
            raise ValueError(
                f"two chunks share id {chunk.chunk_id} ({chunk.source_doc} / {chunk.section})"
            )
        new_by_id[chunk.chunk_id] = chunk
    clients = sorted({c.client_id for c in chunks})
    old_by_id = {s.chunk_id: s for s in stored if s.client_id in clients}

    added, changed, retagged = [], [], []
    unchanged = 0
    for chunk in chunks:
        old = old_by_id.get(chunk.chunk_id)
        if old is None:
            added.append(chunk)
        elif old.content_hash != chunk.content_hash:
            changed.append(chunk)
        elif _metadata_differs(chunk, old):
            retagged.append(chunk)
        else:
            unchanged += 1
    removed = [s for cid, s in sorted(old_by_id.items()) if cid not in new_by_id]
    return IngestPlan(
        clients=clients,
        added=added,
        changed=changed,
        retagged=retagged,
        removed=removed,
        unchanged=unchanged,
        version_changes=_version_changes(chunks, list(old_by_id.values())),
    )


def apply_plan(
    plan: IngestPlan, store: PolicyStore, encoder: ChunkEncoder, batch_size: int = 32
) -> IngestReport:
    started = time.perf_counter()
    to_embed = plan.to_embed
    for start in range(0, len(to_embed), batch_size):
        batch = to_embed[start : start + batch_size]
        store.upsert(batch, encoder.embed_chunks([c.text for c in batch]))
    if plan.retagged:
        vectors = store.vectors([c.chunk_id for c in plan.retagged])
        missing = [c.chunk_id for c in plan.retagged if c.chunk_id not in vectors]
        if missing:
            raise RuntimeError(f"stored vectors missing for {len(missing)} chunks: re-ingest")
        store.upsert(plan.retagged, np.stack([vectors[c.chunk_id] for c in plan.retagged]))
    deleted = [s.chunk_id for s in plan.removed]
    store.delete(deleted)
    if not plan.is_noop:
        store.flush()
    return IngestReport(
        counts=plan.counts(),
        embedded_chunk_ids=[c.chunk_id for c in to_embed],
        deleted_chunk_ids=deleted,
        seconds=round(time.perf_counter() - started, 3),
    )


def ingest_chunks(
    chunks: Sequence[KbChunk],
    store: PolicyStore,
    encoder: ChunkEncoder,
    *,
    dry_run: bool = False,
) -> tuple[IngestPlan, IngestReport | None]:
    """Plan against the store and, unless this is a dry run, apply."""
    clients = sorted({c.client_id for c in chunks})
    plan = plan_ingest(chunks, store.stored_chunks(clients))
    return plan, None if dry_run else apply_plan(plan, store, encoder)


def _metadata_differs(chunk: KbChunk, old: StoredChunk) -> bool:
    if chunk.effective_date.isoformat() != old.effective_date:
        return True
    return any(getattr(chunk, name) != getattr(old, name) for name in _METADATA)


def _version_changes(
    chunks: Sequence[KbChunk], stored: Sequence[StoredChunk]
) -> list[VersionChange]:
    new: dict[tuple[str, str], set[str]] = defaultdict(set)
    old: dict[tuple[str, str], set[str]] = defaultdict(set)
    for chunk in chunks:
        new[(chunk.client_id, chunk.source_doc)].add(chunk.policy_version)
    for state in stored:
        old[(state.client_id, state.source_doc)].add(state.policy_version)
    changes = []
    for key in sorted(new.keys() | old.keys()):
        before, after = _label(old.get(key)), _label(new.get(key))
        if before != after:
            changes.append(
                VersionChange(client_id=key[0], source_doc=key[1], old=before, new=after)
            )
    return changes


def _label(versions: set[str] | None) -> str | None:
    return ", ".join(sorted(versions)) if versions else None
