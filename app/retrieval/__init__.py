"""Policy retrieval: the KB format, chunking, ingestion, the Milvus store, hybrid search, rerank.

Read top to bottom: `kb_format` (Markdown + front matter) and `external` (other policy texts)
give `PolicyDocument`s; `chunking` cuts them into `KbChunk`s; `ingest` diffs them against the
`store` and re-embeds only what changed; `search` answers a query for one tenant (rewrite,
BM25 + dense + identifier legs, RRF, rerank). Every store read takes a `TenantScope`, so no query
can run without a client filter.
"""
