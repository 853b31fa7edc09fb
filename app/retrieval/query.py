"""The query as each leg sees it: rewritten with what hydration knows about the customer.

The customer's tier and product category are words the policy text uses ("Gold members",
"electronics"), so adding them lets BM25 and the encoder prefer the sections that apply. The
region is a filter already; it is added to the text as well because region-specific documents
name their region. Identifiers are taken from the customer's own words only.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.retrieval.identifiers import extract_identifiers


class QueryContext(BaseModel):
    """Hydrated facts about the customer, when known (never from model output)."""

    model_config = ConfigDict(frozen=True)

    tier: str | None = Field(default=None, max_length=20)
    region: str | None = Field(default=None, max_length=8)
    category: str | None = Field(default=None, max_length=32)


class RewrittenQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    original: str
    text: str  # what BM25 and the encoder see
    identifiers: tuple[str, ...]  # normalised, for the identifier leg


def rewrite_query(query: str, context: QueryContext | None = None) -> RewrittenQuery:
    query = " ".join(query.split())
    facts = []
    if context is not None:
        if context.tier:
            facts.append(f"{context.tier} tier")
        if context.category:
            facts.append(context.category)
        if context.region:
            facts.append(context.region)
    text = f"{query} ({', '.join(facts)})" if facts else query
    return RewrittenQuery(original=query, text=text, identifiers=tuple(extract_identifiers(query)))
