"""Section-level chunks: one per `##` section, split with overlap only when a section is long.

A section of at most `max_tokens` MiniLM tokens is one chunk. A longer one is cut into windows
of about `target_tokens` (evenly sized, so no stub at the end), each starting `overlap_tokens`
before the previous one ended; cuts land on paragraph, line or sentence breaks when one lies
near, else between words. Chunks never span sections or documents.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.retrieval.identifiers import identifier_text
from app.retrieval.kb_format import DocumentSection, PolicyDocument
from app.retrieval.tokens import TokenCounter, minilm_token_counter

# Bump when the indexed text's layout or the identifier extraction changes: every content hash
# moves, so the next ingest rewrites (and re-embeds) every chunk.
INDEXED_TEXT_VERSION = "1"

_SENTENCE_END = re.compile(r"[.!?:;)]$")


@dataclass(frozen=True)
class ChunkingConfig:
    max_tokens: int = 600
    target_tokens: int = 500
    overlap_tokens: int = 75
    min_overlap: int = 50
    max_overlap: int = 100
    # How far a cut may move from its ideal place to reach a better break.
    slack_tokens: int = 60

    def __post_init__(self) -> None:
        if not self.min_overlap <= self.overlap_tokens <= self.max_overlap < self.target_tokens:
            raise ValueError("need min_overlap <= overlap_tokens <= max_overlap < target_tokens")
        if self.target_tokens > self.max_tokens:
            raise ValueError("target_tokens must not exceed max_tokens")


class KbChunk(BaseModel):
    model_config = ConfigDict(frozen=True)

    chunk_id: str
    client_id: str
    region: str
    product_category: str
    policy_version: str
    effective_date: date
    title: str
    source_doc: str
    section: str
    ordinal: int = Field(ge=0, description="Position of the chunk within its section.")
    # Title and section heading, then the section text: what BM25 indexes, the encoder embeds
    # and search returns (the heading tells a reader, and the encoder, where the text is from).
    text: str
    identifiers: str
    token_count: int = Field(ge=0, description="MiniLM tokens of the section text window.")
    content_hash: str


def chunk_documents(
    documents: list[PolicyDocument],
    config: ChunkingConfig | None = None,
    counter: TokenCounter | None = None,
) -> list[KbChunk]:
    config = config or ChunkingConfig()
    counter = counter or minilm_token_counter()
    chunks: list[KbChunk] = []
    for document in documents:
        for section in document.sections:
            chunks.extend(chunk_section(document, section, config, counter))
    return chunks


def chunk_section(
    document: PolicyDocument,
    section: DocumentSection,
    config: ChunkingConfig,
    counter: TokenCounter,
) -> list[KbChunk]:
    meta = document.meta
    header = meta.title if section.heading == meta.title else f"{meta.title} — {section.heading}"
    chunks = []
    for ordinal, (body, tokens) in enumerate(split_text(section.body, config, counter)):
        text = f"{header}\n\n{body}"
        chunks.append(
            KbChunk(
                chunk_id=chunk_id(
                    meta.client_id,
                    document.source_doc,
                    section.heading,
                    section.occurrence,
                    ordinal,
                ),
                client_id=meta.client_id,
                region=meta.region,
                product_category=meta.product_category,
                policy_version=meta.policy_version,
                effective_date=meta.effective_date,
                title=meta.title,
                source_doc=document.source_doc,
                section=section.heading,
                ordinal=ordinal,
                text=text,
                # Not the title: a document titled "SKU-9942-A and SKU-9942-B" would give both
                # SKUs to every one of its chunks, and the identifier leg could not tell them apart.
                identifiers=identifier_text(f"{section.heading}\n{body}"),
                token_count=tokens,
                content_hash=content_hash(text),
            )
        )
    return chunks


def chunk_id(client_id: str, source_doc: str, section: str, occurrence: int, ordinal: int) -> str:
    """Stable across re-ingests: the same place in the same document keeps its id."""
    key = "\x1f".join((client_id, source_doc, section, str(occurrence), str(ordinal)))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def content_hash(text: str) -> str:
    return hashlib.sha256(f"{INDEXED_TEXT_VERSION}\x1f{text}".encode()).hexdigest()[:32]


def split_text(body: str, config: ChunkingConfig, counter: TokenCounter) -> list[tuple[str, int]]:
    """(window text, token count) for each chunk of one section's text."""
    spans = counter.spans(body).spans
    total = len(spans)
    if total <= config.max_tokens:
        return [(body.strip(), total)]
    overlap = config.overlap_tokens
    pieces = math.ceil((total - overlap) / (config.target_tokens - overlap))
    budget = math.ceil((total + (pieces - 1) * overlap) / pieces)
    strength = [_break_strength(body, spans, k) for k in range(total)]

    windows = []
    start = 0
    while total - start > config.max_tokens:
        end = _best_break(
            strength,
            ideal=start + budget,
            low=start + budget - config.slack_tokens,
            high=min(start + budget + config.slack_tokens, start + config.max_tokens),
        )
        windows.append((start, end))
        start = _best_break(
            strength,
            ideal=end - overlap,
            low=end - config.max_overlap,
            high=end - config.min_overlap,
        )
    windows.append((start, total))
    return [(body[spans[a][0] : spans[b - 1][1]], b - a) for a, b in windows]


def _break_strength(body: str, spans: tuple[tuple[int, int], ...], k: int) -> int:
    """How good a place the start of token k is for a cut: 3 paragraph, 2 line or sentence,
    1 between words, 0 inside a word (a word piece or attached punctuation)."""
    if k == 0:
        return 3
    gap = body[spans[k - 1][1] : spans[k][0]]
    if "\n\n" in gap:
        return 3
    if "\n" in gap:
        return 2
    if not gap:
        return 0
    previous = body[spans[k - 1][0] : spans[k - 1][1]]
    return 2 if _SENTENCE_END.search(previous) else 1


def _best_break(strength: list[int], *, ideal: int, low: int, high: int) -> int:
    low, high = max(low, 1), min(high, len(strength) - 1)
    candidates = range(low, high + 1)
    best = max(candidates, key=lambda k: (min(strength[k], 2), -abs(k - ideal)), default=ideal)
    return best if strength[best] > 0 else ideal
