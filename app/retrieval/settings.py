"""Retrieval configuration: environment first, explicit overrides win; read once at start-up."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from app.paths import VAR_DIR
from app.retrieval.store import DEFAULT_COLLECTION, is_lite_uri
from app.retrieval.tenant_index import DEFAULT_MAX_CHUNKS

DEFAULT_LITE_PATH = str(VAR_DIR / "milvus" / "policy.db")


class IndexChoice(StrEnum):
    """Where the search legs run (OSA_POLICY_INDEX)."""

    # A Lite file: in process; a server URI: the server's hybrid_search.
    AUTO = "auto"
    # Per-tenant copies read from Milvus (tenant_index.py): what Milvus Lite needs, including a
    # `milvus-lite server` URI, which is just as slow per query.
    IN_PROCESS = "in_process"
    # Milvus's own hybrid_search with partition-key pruning: a real Milvus server with BM25.
    MILVUS = "milvus"


class RetrievalSettings(BaseModel):
    # A local file is Milvus Lite (one process per file); http(s)://host:port is a Milvus or
    # `milvus-lite server` endpoint that several replicas can share.
    milvus_uri: str = DEFAULT_LITE_PATH
    milvus_token: str | None = Field(default=None, repr=False)
    collection: str = Field(default=DEFAULT_COLLECTION, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
    reranker: bool = True
    candidates: int = Field(default=20, ge=1, le=200)
    leg_limit: int = Field(default=30, ge=1, le=1000)
    rrf_k: int = Field(default=60, ge=1)
    cache_dir: Path = Path(os.environ.get("OSA_CACHE_DIR", VAR_DIR / "cache")) / "retrieval"
    index: IndexChoice = IndexChoice.AUTO
    index_max_chunks: int = Field(default=DEFAULT_MAX_CHUNKS, ge=1)

    @property
    def serves_in_process(self) -> bool:
        """True when queries are served by per-tenant in-process copies, False when by the
        Milvus server's hybrid_search."""
        if self.index is IndexChoice.AUTO:
            return is_lite_uri(self.milvus_uri)
        return self.index is IndexChoice.IN_PROCESS

    @classmethod
    def load(cls, overrides: dict[str, Any] | None = None) -> RetrievalSettings:
        """MILVUS_URI, MILVUS_TOKEN, OSA_POLICY_COLLECTION, OSA_POLICY_RERANK (0/1),
        OSA_POLICY_INDEX (auto / in_process / milvus) and OSA_POLICY_INDEX_MAX_CHUNKS override
        the defaults; explicit overrides win over both."""
        env = {
            "milvus_uri": os.environ.get("MILVUS_URI"),
            "milvus_token": os.environ.get("MILVUS_TOKEN"),
            "collection": os.environ.get("OSA_POLICY_COLLECTION"),
            "reranker": os.environ.get("OSA_POLICY_RERANK"),
            "index": os.environ.get("OSA_POLICY_INDEX"),
            "index_max_chunks": os.environ.get("OSA_POLICY_INDEX_MAX_CHUNKS"),
        }
        values: dict[str, Any] = {k: v for k, v in env.items() if v}
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        return cls.model_validate(values)
