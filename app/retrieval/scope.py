"""Whose policy a search may read: the one place Milvus filter expressions are written.

Every store read takes a `TenantScope`; there is no other way to pass a filter. The client id
is validated against the platform's client id pattern, and literals are escaped as well, so a
crafted value can never widen the filter (Milvus Lite rejects `filter_params` templating, so the
expression is a string). The client id comes from the verified token, never from model output.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.platform.contract import CLIENT_ID_PATTERN
from app.retrieval.kb_format import ALL_REGIONS, REGION_PATTERN


class TenantScope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    client_id: str = Field(pattern=CLIENT_ID_PATTERN)
    # None: every region of the client (operators' manual search); customers always have one.
    region: str | None = Field(default=None, pattern=REGION_PATTERN)

    def filter_expression(self) -> str:
        """`client_id == "c"` and, with a region, `region in ["ALL", "R"]`: a document for
        ALL regions applies in every region."""
        expression = f"client_id == {quote_literal(self.client_id)}"
        if self.region is not None:
            regions = dict.fromkeys((ALL_REGIONS, self.region))
            expression += f" and region in [{', '.join(quote_literal(r) for r in regions)}]"
        return expression


def quote_literal(value: str) -> str:
    """A Milvus string literal: double-quoted, backslashes and quotes escaped."""
    if any(ord(ch) < 32 for ch in value):
        raise ValueError("control characters are not allowed in filter literals")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def id_list_expression(field: str, values: list[str]) -> str:
    """`field in ["a", "b"]` for fixed fields of ours (chunk ids, client ids)."""
    return f"{field} in [{', '.join(quote_literal(v) for v in values)}]"
