"""The knowledge-base format: a directory of Markdown policy documents with YAML front matter.

    ---
    client_id: globex
    region: ALL            # or one region (US, UK, EU, ...): ALL applies in every region
    policy_version: "2026.11"
    product_category: all  # or one category (electronics, apparel, ...)
    effective_date: 2026-11-01
    title: Returns and refunds
    ---
    # Returns and refunds          (optional; text before the first ## is a section named `title`)
    ## Return windows
    ...

Sections are `##` headings (deeper headings stay inside their section). `source_doc` is the
file's path relative to the KB root (its plain name in a flat directory). README.md files are
documentation of the KB, not policy, and are skipped.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.platform.contract import CLIENT_ID_PATTERN

ALL_REGIONS = "ALL"
ALL_CATEGORIES = "all"
REGION_PATTERN = r"^[A-Z]{2,8}$"  # "ALL" matches too
CATEGORY_PATTERN = r"^[a-z][a-z0-9_-]{0,31}$"

_HEADING = re.compile(r"^##[ \t]+(?P<text>.+?)[ \t]*#*[ \t]*$")
_TITLE = re.compile(r"^#[ \t]+\S")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")


class KbFormatError(ValueError):
    """A KB file that does not follow the format; the message names the file."""


class DocumentMeta(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    client_id: str = Field(pattern=CLIENT_ID_PATTERN)
    region: str = Field(pattern=REGION_PATTERN)
    policy_version: str = Field(min_length=1, max_length=64)
    product_category: str = Field(pattern=CATEGORY_PATTERN)
    effective_date: date
    title: str = Field(min_length=1, max_length=200)

    @field_validator("region", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("product_category", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("policy_version", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        # YAML reads `policy_version: 2.1` as a float; the version is a label, not a number.
        return str(value) if isinstance(value, int | float) else value


class DocumentSection(BaseModel):
    model_config = ConfigDict(frozen=True)

    heading: str = Field(min_length=1)
    # How many earlier sections of the document carry the same heading: keeps chunk ids apart
    # when a heading repeats, and stable when sections are added elsewhere.
    occurrence: int = Field(default=0, ge=0)
    body: str


class PolicyDocument(BaseModel):
    model_config = ConfigDict(frozen=True)

    source_doc: str = Field(min_length=1, max_length=250)
    meta: DocumentMeta
    sections: tuple[DocumentSection, ...]


def parse_document(text: str, source_doc: str) -> PolicyDocument:
    front, body = _split_front_matter(text, source_doc)
    try:
        meta = DocumentMeta.model_validate(front)
    except ValidationError as exc:
        raise KbFormatError(f"{source_doc}: invalid front matter: {exc}") from exc
    return PolicyDocument(
        source_doc=source_doc, meta=meta, sections=tuple(split_sections(body, meta.title))
    )


def read_kb(root: Path) -> list[PolicyDocument]:
    """Every policy document under `root`, in path order; all format errors at once."""
    if not root.is_dir():
        raise KbFormatError(f"{root}: not a directory")
    documents, errors = [], []
    for path in sorted(root.rglob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        source_doc = path.relative_to(root).as_posix()
        try:
            documents.append(parse_document(path.read_text(encoding="utf-8"), source_doc))
        except KbFormatError as exc:
            errors.append(str(exc))
    if errors:
        raise KbFormatError("\n".join(errors))
    return documents


def _split_front_matter(text: str, source_doc: str) -> tuple[dict[str, Any], str]:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise KbFormatError(f"{source_doc}: missing YAML front matter (first line must be ---)")
    end = next((i for i, line in enumerate(lines) if i and line.strip() in ("---", "...")), None)
    if end is None:
        raise KbFormatError(f"{source_doc}: front matter is not closed by ---")
    try:
        front = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        raise KbFormatError(f"{source_doc}: front matter is not YAML: {exc}") from exc
    if not isinstance(front, dict):
        raise KbFormatError(f"{source_doc}: front matter must be a mapping")
    return front, "\n".join(lines[end + 1 :])


def split_sections(body: str, title: str) -> list[DocumentSection]:
    heading, lines = title, []
    parts: list[tuple[str, list[str]]] = []
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            parts.append((heading, lines))
            heading, lines = match["text"], []
        elif not parts and not in_fence and not "".join(lines).strip() and _TITLE.match(line):
            continue  # the document's own `# Title` line: the title lives in the front matter
        else:
            lines.append(line)
    parts.append((heading, lines))

    seen: dict[str, int] = {}
    sections = []
    for text, block in parts:
        content = "\n".join(block).strip("\n")
        if not content.strip():
            continue  # a heading with nothing under it answers no question
        sections.append(DocumentSection(heading=text, occurrence=seen.get(text, 0), body=content))
        seen[text] = seen.get(text, 0) + 1
    return sections
