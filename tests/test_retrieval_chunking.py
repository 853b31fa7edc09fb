"""Policy KB format, section chunking, identifiers, tenant scopes and the ingest diff.

No Milvus and no model here (the MiniLM tokenizer only): these run in well under a second.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.retrieval.chunking import ChunkingConfig, chunk_documents, split_text
from app.retrieval.external import (
    ABCD_CLIENT_ID,
    TAU2_CLIENT_ID,
    default_shared_data_dir,
    external_documents,
)
from app.retrieval.identifiers import extract_identifiers
from app.retrieval.ingest import plan_ingest
from app.retrieval.kb_format import KbFormatError, parse_document, read_kb
from app.retrieval.scope import TenantScope, quote_literal
from app.retrieval.store import StoredChunk
from app.retrieval.tokens import minilm_token_counter


def policy(
    client: str = "globex", *, version: str = "2026.1", region: str = "ALL", body: str = ""
) -> str:
    return (
        f'---\nclient_id: {client}\nregion: {region}\npolicy_version: "{version}"\n'
        f"product_category: all\neffective_date: 2026-01-12\ntitle: Returns\n---\n{body}"
    )


def long_paragraphs(tokens: int, tag: str = "") -> str:
    """Sentences of 16 MiniLM tokens in paragraphs of five: about `tokens` tokens."""
    sentences = [
        f"Rule {tag}{i} says a parcel returned within the window earns a refund."
        for i in range(tokens // 16)
    ]
    return "\n\n".join(" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5))


# ---------------------------------------------------------------- KB format


def test_front_matter_and_sections_are_parsed() -> None:
    doc = parse_document(
        policy(body="# Returns\n\n## Windows\nThirty days.\n\n## Exclusions ##\nGift cards.\n"),
        "globex/returns.md",
    )
    assert doc.meta.client_id == "globex"
    assert doc.meta.policy_version == "2026.1"
    assert doc.meta.effective_date == date(2026, 1, 12)
    assert [s.heading for s in doc.sections] == ["Windows", "Exclusions"]
    assert doc.sections[0].body == "Thirty days."


def test_text_before_the_first_heading_is_a_section_named_after_the_title() -> None:
    doc = parse_document(
        policy(body="Applies to every order.\n\n## Windows\nThirty days.\n"), "r.md"
    )
    assert [s.heading for s in doc.sections] == ["Returns", "Windows"]


def test_deeper_headings_and_fenced_hashes_stay_inside_their_section() -> None:
    body = "## Windows\nIntro.\n### Gold\nSixty days.\n```\n## not a heading\n```\n## Next\nx\n"
    doc = parse_document(policy(body=body), "r.md")
    assert [s.heading for s in doc.sections] == ["Windows", "Next"]
    assert "### Gold" in doc.sections[0].body
    assert "## not a heading" in doc.sections[0].body


def test_repeated_headings_are_told_apart() -> None:
    doc = parse_document(policy(body="## Notes\na\n## Other\nb\n## Notes\nc\n"), "r.md")
    assert [(s.heading, s.occurrence) for s in doc.sections] == [
        ("Notes", 0),
        ("Other", 0),
        ("Notes", 1),
    ]
    ids = [c.chunk_id for c in chunk_documents([doc])]
    assert len(set(ids)) == 3


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("## Windows\nno front matter\n", "missing YAML front matter"),
        ("---\nclient_id: globex\n", "not closed"),
        (policy("Globex Inc"), "invalid front matter"),
        (policy().replace("region: ALL", "region: united kingdom"), "invalid front matter"),
    ],
)
def test_malformed_documents_are_rejected_with_the_file_name(text: str, problem: str) -> None:
    with pytest.raises(KbFormatError, match=problem) as error:
        parse_document(text, "globex/broken.md")
    assert "globex/broken.md" in str(error.value)


def test_read_kb_names_documents_by_relative_path_and_skips_readme(tmp_path: Path) -> None:
    (tmp_path / "globex").mkdir()
    (tmp_path / "kestrel").mkdir()
    (tmp_path / "README.md").write_text("# About this KB\n")
    (tmp_path / "globex" / "returns.md").write_text(policy(body="## W\nx\n"))
    (tmp_path / "kestrel" / "returns.md").write_text(policy("kestrel", body="## W\nx\n"))
    docs = read_kb(tmp_path)
    assert [d.source_doc for d in docs] == ["globex/returns.md", "kestrel/returns.md"]


# ---------------------------------------------------------------- chunking


def test_a_short_section_is_one_chunk_carrying_its_metadata() -> None:
    doc = parse_document(policy(body="## Windows\nReturn SKU-9942-B within 14 days.\n"), "g.md")
    [chunk] = chunk_documents([doc])
    assert chunk.section == "Windows"
    assert chunk.source_doc == "g.md"
    assert (chunk.client_id, chunk.region, chunk.policy_version) == ("globex", "ALL", "2026.1")
    assert chunk.text == "Returns — Windows\n\nReturn SKU-9942-B within 14 days."
    assert "sku9942b" in chunk.identifiers.split()
    assert len(chunk.content_hash) == 32


def test_long_sections_split_into_overlapping_chunks_of_400_to_600_tokens() -> None:
    counter = minilm_token_counter()
    config = ChunkingConfig()
    body = long_paragraphs(1900)
    spans = counter.spans(body).spans
    pieces = split_text(body, config, counter)
    assert len(spans) > 1700
    assert len(pieces) == math.ceil((len(spans) - 75) / (500 - 75))
    # Locate each piece in the token sequence of the whole section.
    starts = [next(i for i, s in enumerate(spans) if s[0] == body.index(p)) for p, _ in pieces]
    ends = [starts[i] + n for i, (_, n) in enumerate(pieces)]
    assert starts[0] == 0 and ends[-1] == len(spans)
    for (text, tokens), start in zip(pieces, starts, strict=True):
        assert 400 <= tokens <= config.max_tokens
        assert counter.count(text) == tokens
        assert body[spans[start][0] :].startswith(text)
    for i in range(1, len(pieces)):
        overlap = ends[i - 1] - starts[i]
        assert config.min_overlap <= overlap <= config.max_overlap
        assert pieces[i][0].startswith("Rule")  # cut at a sentence start


def test_a_section_just_over_the_limit_splits_evenly() -> None:
    counter = minilm_token_counter()
    body = long_paragraphs(700)
    assert counter.count(body) > 600
    sizes = [n for _, n in split_text(body, ChunkingConfig(), counter)]
    assert len(sizes) == 2 and abs(sizes[0] - sizes[1]) < 80


def test_chunks_never_span_sections_or_documents() -> None:
    one = parse_document(
        policy(body=f"## Alpha\n{long_paragraphs(800, 'a')}\n## Beta\nShort beta.\n"), "one.md"
    )
    two = parse_document(
        policy("kestrel", body=f"## Alpha\n{long_paragraphs(700, 'k')}\n"), "two.md"
    )
    chunks = chunk_documents([one, two])
    for chunk in chunks:
        document = one if chunk.source_doc == "one.md" else two
        [section] = [s for s in document.sections if s.heading == chunk.section]
        body = chunk.text.split("\n\n", 1)[1]
        assert body in section.body
    assert [c.ordinal for c in chunks if c.source_doc == "one.md" and c.section == "Alpha"] == [
        0,
        1,
    ]
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_chunk_ids_are_stable_and_content_hashes_follow_the_text() -> None:
    before = chunk_documents([parse_document(policy(body="## A\nx\n## B\ny\n"), "d.md")])
    after = chunk_documents(
        [parse_document(policy(body="## New\nz\n## A\nx\n## B\nchanged\n"), "d.md")]
    )
    by_section = {c.section: c for c in after}
    assert by_section["A"].chunk_id == before[0].chunk_id
    assert by_section["A"].content_hash == before[0].content_hash
    assert by_section["B"].chunk_id == before[1].chunk_id
    assert by_section["B"].content_hash != before[1].content_hash


def test_external_policies_become_extra_clients() -> None:
    data = default_shared_data_dir()
    if not (data / "tau2_retail" / "policy.md").is_file():
        pytest.skip("shared data sets not present")
    docs = {d.meta.client_id: d for d in external_documents(data)}
    assert set(docs) == {TAU2_CLIENT_ID, ABCD_CLIENT_ID}
    assert "Return delivered order" in [s.heading for s in docs[TAU2_CLIENT_ID].sections]
    assert "Account Access — Recover Password" in [s.heading for s in docs[ABCD_CLIENT_ID].sections]
    chunks = chunk_documents(list(docs.values()))
    assert all(c.region == "ALL" and c.token_count <= 600 for c in chunks)


# ---------------------------------------------------------------- identifiers


def test_identifiers_are_normalised_to_single_tokens() -> None:
    found = extract_identifiers("SKU-9942-B (policy GBX-9942-B-R14), parcel AWB-7730012345")
    assert found[:2] == ["sku9942b", "9942b"]
    assert "gbx9942br14" in found and "awb7730012345" in found
    assert extract_identifiers("can I return sku 9942b?") == ["9942b"]
    assert extract_identifiers("an e-mail about COVID and 30-day returns") == []


# ---------------------------------------------------------------- tenant scope


def test_a_scope_needs_a_valid_client_id() -> None:
    with pytest.raises(ValidationError):
        TenantScope()  # type: ignore[call-arg]
    for bad in ("", "Globex", 'globex" or client_id != "x', "globex\n"):
        with pytest.raises(ValidationError):
            TenantScope(client_id=bad)


def test_filter_expressions_pin_the_client_and_let_all_region_documents_through() -> None:
    assert TenantScope(client_id="globex", region="UK").filter_expression() == (
        'client_id == "globex" and region in ["ALL", "UK"]'
    )
    assert TenantScope(client_id="globex").filter_expression() == 'client_id == "globex"'
    assert quote_literal('a"b\\c') == '"a\\"b\\\\c"'


# ---------------------------------------------------------------- ingest diff


def stored(chunk, **changes) -> StoredChunk:  # type: ignore[no-untyped-def]
    values = chunk.model_dump(include=set(StoredChunk.model_fields))
    values["effective_date"] = chunk.effective_date.isoformat()
    return StoredChunk(**{**values, **changes})


def test_the_ingest_plan_sorts_chunks_into_added_changed_retagged_removed() -> None:
    doc = parse_document(policy(body="## A\nx\n## B\ny\n## C\nz\n"), "d.md")
    a, b, c = chunk_documents([doc])
    gone = stored(c, chunk_id="f" * 32, section="Old")
    other_tenant = stored(a, client_id="kestrel", chunk_id="e" * 32)
    plan = plan_ingest(
        [a, b, c],
        [
            stored(a),
            stored(b, content_hash="0" * 32),
            stored(c, policy_version="2025.9"),
            gone,
            other_tenant,
        ],
    )
    assert plan.counts() == {"added": 0, "changed": 1, "retagged": 1, "removed": 1, "unchanged": 1}
    assert [x.section for x in plan.to_embed] == ["B"]
    assert plan.removed == [gone]  # never another tenant's chunks
    [change] = plan.version_changes
    assert (change.source_doc, change.old, change.new) == ("d.md", "2025.9, 2026.1", "2026.1")
