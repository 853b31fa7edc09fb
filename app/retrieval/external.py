"""Public policy texts ingested as extra clients, beside the KB directory.

- tau2-bench's retail agent policy (`tau2_retail/policy.md`, MIT): Markdown with `##` sections
  and no front matter; client `tau2_retail`, the platform's fourth client.
- ABCD's agent guidelines (`abcd/guidelines.json`, MIT): flows of subflows, each with
  instructions and button actions; client `abcd`, one section per flow and subflow.

Neither source carries a region, category or date: they apply everywhere, and their version is
a hash of the file, so any change to a source shows up as a policy_version change in a diff.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

from app.retrieval.kb_format import (
    ALL_CATEGORIES,
    ALL_REGIONS,
    DocumentMeta,
    DocumentSection,
    PolicyDocument,
    split_sections,
)

TAU2_CLIENT_ID = "tau2_retail"
ABCD_CLIENT_ID = "abcd"
TAU2_POLICY = Path("tau2_retail/policy.md")
ABCD_GUIDELINES = Path("abcd/guidelines.json")
# The sources are undated; a fixed date keeps ingestion reproducible.
EXTERNAL_EFFECTIVE_DATE = date(2025, 1, 1)


def default_shared_data_dir() -> Path:
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def external_documents(data_dir: Path, clients: set[str] | None = None) -> list[PolicyDocument]:
    """The external policies present under `data_dir` (all, or only those of `clients`)."""
    loaders = {
        TAU2_CLIENT_ID: (TAU2_POLICY, tau2_policy_document),
        ABCD_CLIENT_ID: (ABCD_GUIDELINES, abcd_guidelines_document),
    }
    documents = []
    for client_id, (relative, load) in loaders.items():
        if (clients is None or client_id in clients) and (data_dir / relative).is_file():
            documents.append(load(data_dir / relative, relative.as_posix()))
    return documents


def tau2_policy_document(path: Path, source_doc: str) -> PolicyDocument:
    text = path.read_text(encoding="utf-8")
    title = next(
        (line[2:].strip() for line in text.splitlines() if line.startswith("# ")),
        "Retail agent policy",
    )
    meta = _meta(TAU2_CLIENT_ID, title, text.encode())
    return PolicyDocument(
        source_doc=source_doc, meta=meta, sections=tuple(split_sections(text, title))
    )


def abcd_guidelines_document(path: Path, source_doc: str) -> PolicyDocument:
    raw = path.read_bytes()
    flows: dict[str, Any] = json.loads(raw)
    sections = []
    for flow, spec in flows.items():
        for subflow, steps in spec.get("subflows", {}).items():
            body = _abcd_body(flow, spec.get("description", ""), steps)
            sections.append(DocumentSection(heading=f"{flow} — {subflow}", body=body))
    meta = _meta(ABCD_CLIENT_ID, "Agent guidelines", raw)
    return PolicyDocument(source_doc=source_doc, meta=meta, sections=tuple(sections))


def _abcd_body(flow: str, description: str, steps: dict[str, Any]) -> str:
    instructions = [str(i).strip() for i in steps.get("instructions", []) if str(i).strip()]
    lines = [f"{flow} ({description})." if description else f"{flow}."]
    lines.extend(instructions[:1])
    for number, action in enumerate(steps.get("actions", []), start=1):
        lines.append(f"{number}. {' '.join(str(action.get('text', '')).split())}")
        lines.extend(f"   - {' '.join(str(s).split())}" for s in action.get("subtext", []))
    lines.extend(instructions[1:])
    return "\n".join(lines)


def _meta(client_id: str, title: str, content: bytes) -> DocumentMeta:
    return DocumentMeta(
        client_id=client_id,
        region=ALL_REGIONS,
        policy_version="sha-" + hashlib.sha256(content).hexdigest()[:12],
        product_category=ALL_CATEGORIES,
        effective_date=EXTERNAL_EFFECTIVE_DATE,
        title=title,
    )
