"""The policy knowledge base in kb/ states exactly the return rules the platform enforces.

Every window the platform's get_return_window can answer (client x region x tier x category, and
every SKU rule) is computed here from the platform's own rule tables (the seed's records, resolved
by `rules.resolve_return_window` exactly as the service does) and must appear, with its policy
code, in a machine-checkable table of the right document and section. Every window table in the
KB, and every policy code, SKU and SKU-rule sentence in its prose, must agree with the platform.
The eval data sets that point into the KB are checked against it as well.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pytest
import yaml

from app.platform import rules
from app.platform.contract import Category, Region, ReturnWindow, Tier
from app.platform.dataset import PlatformDataset
from app.platform.seed import generate

ROOT = Path(__file__).resolve().parents[1]
KB_DIR = ROOT / "kb"
EVAL_DATA = ROOT / "evals" / "data"
FRONT_MATTER_KEYS = {
    "client_id",
    "region",
    "policy_version",
    "product_category",
    "effective_date",
    "title",
}
# The section of a regional returns policy that must hold every category window of that region.
WINDOWS_SECTION = "Return windows by category and tier"
TIERS = (Tier.STANDARD, Tier.SILVER, Tier.GOLD)
POLICY_CODE = re.compile(r"\b[A-Z]{3}-(?:[A-Z]{2}-[A-Z]{4}|\d{4}-[A-Z])-(?:R\d+|FINAL)\b")
SKU = re.compile(r"\bSKU-\d{4}-[A-Z]\b")
DAYS = re.compile(r"\b(\d+)(?: |-)days?\b")
QUERY_KINDS = {"identifier", "semantic", "keyword", "tier_region"}


@dataclass(frozen=True)
class KbDoc:
    source_doc: str  # path relative to kb/, e.g. "globex/electronics-returns.md"
    client_id: str
    region: str  # a Region value or "ALL"
    category: str  # a Category value or "all"
    meta: dict[str, object]
    sections: dict[str, str]  # exact `##` heading -> body text
    preamble: str  # anything between the front matter and the first `##` heading


@dataclass(frozen=True)
class WindowRow:
    doc: KbDoc
    section: str
    cells: dict[str, str]


# ------------------------------------------------------------------ the platform's rule tables


@cache
def platform() -> PlatformDataset:
    # Rules, SKU rules and products do not depend on customers: none are generated.
    return generate(seed=7, customers_per_client=0)


def client_regions() -> dict[str, set[str]]:
    return {c.client_id: {r.value for r in c.regions} for c in platform().clients}


def resolve(
    client_id: str,
    region: Region,
    tier: Tier,
    *,
    category: Category | None = None,
    sku: str | None = None,
) -> ReturnWindow:
    """What get_return_window answers, built from the seed's records like the service does."""
    data = platform()
    if sku is not None:
        category = next(
            p.category for p in data.products if p.client_id == client_id and p.sku == sku
        )
    else:
        sku = next(
            p.sku
            for p in data.products
            if p.client_id == client_id
            and p.category == category
            and not any(r.client_id == client_id and r.sku == p.sku for r in data.sku_rules)
        )
    assert category is not None
    row = next(
        (
            r
            for r in data.return_rules
            if (r.client_id, r.region, r.category) == (client_id, region, category)
        ),
        None,
    )
    return rules.resolve_return_window(
        client_id=client_id,
        sku=sku,
        category=category,
        region=region,
        tier=tier,
        category_rule=(
            rules.CategoryRule(
                window_days=row.window_days,
                returnable=row.returnable,
                policy_code=row.policy_code,
                tier_bonus_days={t.value: days for t, days in row.tier_bonus_days.items()},
            )
            if row
            else None
        ),
        sku_rules=[
            rules.SkuRule(
                region=str(r.region),
                window_days=r.window_days,
                returnable=r.returnable,
                policy_code=r.policy_code,
            )
            for r in data.sku_rules
            if (r.client_id, r.sku) == (client_id, sku)
        ],
    )


def policy_codes(client_id: str) -> set[str]:
    data = platform()
    return {r.policy_code for r in data.return_rules if r.client_id == client_id} | {
        r.policy_code for r in data.sku_rules if r.client_id == client_id
    }


def rule_skus(client_id: str) -> dict[str, str]:
    """SKU -> policy code of the client's SKU-specific rules."""
    return {r.sku: r.policy_code for r in platform().sku_rules if r.client_id == client_id}


# ------------------------------------------------------------------ reading the KB


@cache
def kb_docs() -> tuple[KbDoc, ...]:
    docs = []
    for path in sorted(KB_DIR.glob("*/*.md")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("---\n"), f"{path}: no front matter"
        front, body = text[4:].split("\n---\n", 1)
        meta = yaml.safe_load(front)
        parts = re.split(r"^## (.+)$", body, flags=re.MULTILINE)
        headings = [h.strip() for h in parts[1::2]]
        assert len(set(headings)) == len(headings), f"{path}: duplicate section headings"
        docs.append(
            KbDoc(
                source_doc=path.relative_to(KB_DIR).as_posix(),
                client_id=str(meta.get("client_id")),
                region=str(meta.get("region")),
                category=str(meta.get("product_category")),
                meta=meta,
                sections={h: s.strip() for h, s in zip(headings, parts[2::2], strict=True)},
                preamble=parts[0].strip(),
            )
        )
    return tuple(docs)


def doc_index() -> dict[str, KbDoc]:
    return {d.source_doc: d for d in kb_docs()}


def markdown_tables(text: str) -> list[list[dict[str, str]]]:
    tables: list[list[dict[str, str]]] = []
    lines: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            lines.append(line)
            continue
        if lines:
            rows = [[c.strip() for c in row.strip().strip("|").split("|")] for row in lines]
            header, rule, *body = rows
            assert all(set(c) <= {"-", ":"} for c in rule), f"malformed table: {lines[:2]}"
            assert all(len(r) == len(header) for r in body), f"ragged table: {header}"
            tables.append([dict(zip(header, r, strict=True)) for r in body])
            lines = []
    return tables


def window_rows() -> list[WindowRow]:
    """Rows of every table that states a return window (it has a "Policy code" column)."""
    return [
        WindowRow(doc, heading, row)
        for doc in kb_docs()
        for heading, text in doc.sections.items()
        for table in markdown_tables(text)
        for row in table
        if "Policy code" in row
    ]


def parse_window(cell: str) -> tuple[bool, int]:
    if cell.lower() in {"not returnable", "final sale"}:
        return False, 0
    match = re.fullmatch(r"(\d+) days", cell)
    assert match, f"unreadable window cell {cell!r}"
    return True, int(match.group(1))


def stated_windows(row: WindowRow) -> dict[Tier, tuple[bool, int]]:
    window_column = next((k for k in row.cells if k.startswith("Window")), None)
    if window_column is not None:
        return {tier: parse_window(row.cells[window_column]) for tier in TIERS}
    return {tier: parse_window(row.cells[tier.value]) for tier in TIERS}


def row_scope(row: WindowRow) -> tuple[str | None, Category | None, list[Region]]:
    """(sku, category, regions) a window row speaks about."""
    sku = row.cells.get("SKU")
    category = row.cells.get("Category", row.doc.category).lower()
    region = row.cells.get("Region", row.doc.region)
    if region == "ALL":
        assert sku is not None, f"{row.doc.source_doc}: a category row needs a region"
        regions = [Region(r) for r in sorted(client_regions()[row.doc.client_id])]
    else:
        regions = [Region(region)]
    return sku, (None if sku else Category(category)), regions


def sentences(text: str) -> list[str]:
    prose = "\n".join(line for line in text.splitlines() if not line.startswith("|"))
    return [s for s in re.split(r"(?<=[.!?:])\s+|\n\s*\n|\n(?=- |\d+\. )", prose) if s.strip()]


def read_jsonl(name: str) -> list[dict]:
    lines = (EVAL_DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# ------------------------------------------------------------------ the KB's own format


def test_every_document_has_the_front_matter_and_sections_the_ingester_expects() -> None:
    docs = kb_docs()
    assert {d.client_id for d in docs} == set(client_regions())
    for doc in docs:
        where = doc.source_doc
        assert set(doc.meta) == FRONT_MATTER_KEYS, where
        assert doc.source_doc.split("/")[0] == doc.client_id, where
        assert doc.region == "ALL" or doc.region in client_regions()[doc.client_id], where
        sold = {p.category.value for p in platform().products if p.client_id == doc.client_id}
        assert doc.category == "all" or doc.category in sold, where
        assert re.fullmatch(r"\d{4}\.\d+", str(doc.meta["policy_version"])), where
        assert isinstance(doc.meta["policy_version"], str), f"{where}: quote policy_version"
        effective = doc.meta["effective_date"]
        assert isinstance(effective, date) or date.fromisoformat(str(effective)), where
        assert str(doc.meta["title"]).strip(), where
        assert not doc.preamble, f"{where}: text before the first ## heading"
        assert len(doc.sections) >= 2 and all(doc.sections.values()), where
        body = "\n".join(doc.sections.values())
        assert not re.search(r"^#{1,2} ", body, flags=re.MULTILINE), f"{where}: stray heading"


def test_each_client_has_a_complete_set_of_policy_documents() -> None:
    by_client: dict[str, list[KbDoc]] = {}
    for doc in kb_docs():
        by_client.setdefault(doc.client_id, []).append(doc)
    for client_id, docs in by_client.items():
        names = {d.source_doc.split("/")[1] for d in docs}
        assert 8 <= len(docs) <= 16, client_id
        for region in client_regions()[client_id]:
            assert f"returns-policy-{region.lower()}.md" in names, (client_id, region)
        for topic in ("refunds", "membership-tiers", "holiday", "international", "damaged"):
            assert any(topic in n for n in names), (client_id, topic)


# ------------------------------------------------------------------ agreement with the platform


def test_every_window_table_row_matches_get_return_window() -> None:
    rows = window_rows()
    assert rows
    for row in rows:
        sku, category, regions = row_scope(row)
        stated = stated_windows(row)
        for region in regions:
            for tier in TIERS:
                expected = resolve(row.doc.client_id, region, tier, category=category, sku=sku)
                where = f"{row.doc.source_doc} / {row.section} / {row.cells} / {region} {tier}"
                assert stated[tier] == (expected.returnable, expected.window_days), where
                assert row.cells["Policy code"] == expected.policy_code, where


def test_each_regional_policy_lists_every_category_window_of_its_region() -> None:
    listed = {
        (row.doc.client_id, region.value, category)
        for row in window_rows()
        if row.section == WINDOWS_SECTION and row.doc.region != "ALL"
        for sku, category, regions in [row_scope(row)]
        if sku is None
        for region in regions
    }
    expected = {(r.client_id, r.region.value, r.category) for r in platform().return_rules}
    assert listed == expected


def test_each_category_document_lists_its_category_in_every_region() -> None:
    listed = {
        (row.doc.client_id, region.value, category)
        for row in window_rows()
        if row.doc.category != "all"
        for sku, category, regions in [row_scope(row)]
        if sku is None and category.value == row.doc.category
        for region in regions
    }
    expected = {(r.client_id, r.region.value, r.category) for r in platform().return_rules}
    assert listed == expected


def test_every_sku_rule_is_stated_for_its_client() -> None:
    listed = {(row.doc.client_id, row.cells["SKU"]) for row in window_rows() if "SKU" in row.cells}
    expected = {(r.client_id, r.sku) for r in platform().sku_rules}
    assert listed == expected


def test_sku_rule_sentences_state_the_platform_window() -> None:
    """A sentence that names exactly one rule SKU and a day count states that SKU's window."""
    checked = 0
    for doc in kb_docs():
        skus = rule_skus(doc.client_id)
        for text in doc.sections.values():
            for sentence in sentences(text):
                named = set(SKU.findall(sentence)) & set(skus)
                days = {int(d) for d in DAYS.findall(sentence)}
                if len(named) != 1 or not days:
                    continue
                (sku,) = named
                region = Region(sorted(client_regions()[doc.client_id])[0])
                window = resolve(doc.client_id, region, Tier.GOLD, sku=sku)
                assert window.returnable, f"{doc.source_doc}: {sentence!r}"
                assert days == {window.window_days}, f"{doc.source_doc}: {sentence!r}"
                checked += 1
    assert checked >= 4


def test_tier_benefit_tables_match_the_platform_bonus_days_and_approval_limits() -> None:
    data = platform()
    for client_id in client_regions():
        rows = [
            row
            for doc in kb_docs()
            if doc.client_id == client_id
            for text in doc.sections.values()
            for table in markdown_tables(text)
            for row in table
            if "Extra return days" in row
        ]
        bonus = next(
            r.tier_bonus_days
            for r in data.return_rules
            if r.client_id == client_id and r.returnable
        )
        limits = next(r.auto_approve_limit for r in data.refund_rules if r.client_id == client_id)
        assert {row["Tier"] for row in rows} == {t.value for t in TIERS}, client_id
        for row in rows:
            tier = Tier(row["Tier"])
            assert row["Extra return days"] == f"+{bonus.get(tier, 0)} days", (client_id, row)
            limit = re.match(r"(\d[\d,]*)", row["Instant refund approval up to"])
            assert limit and float(limit.group(1).replace(",", "")) == limits[tier], row


def test_policy_codes_and_skus_in_the_text_belong_to_the_client_and_region() -> None:
    for doc in kb_docs():
        codes = policy_codes(doc.client_id)
        text = "\n".join([str(doc.meta["title"]), *doc.sections.values()])
        for code in POLICY_CODE.findall(text):
            assert code in codes, f"{doc.source_doc}: {code} is not a {doc.client_id} code"
            segment = code.split("-")[1]
            if doc.region != "ALL" and segment.isalpha():
                assert segment == doc.region, f"{doc.source_doc}: {code} in a {doc.region} doc"
        for sku in SKU.findall(text):
            assert sku in rule_skus(doc.client_id), f"{doc.source_doc}: {sku}"
    stated = {code for doc in kb_docs() for code in POLICY_CODE.findall(str(doc.sections))}
    every = {code for client_id in client_regions() for code in policy_codes(client_id)}
    assert stated == every


# ------------------------------------------------------------------ eval data pointing into the KB


def check_relevant(line: dict, region: str) -> list[KbDoc]:
    docs = doc_index()
    found = []
    assert line["relevant"], line
    for ref in line["relevant"]:
        assert set(ref) == {"source_doc", "section"}, ref
        doc = docs.get(ref["source_doc"])
        assert doc is not None, ref
        assert ref["section"] in doc.sections, ref
        assert doc.client_id == line["client_id"], (line, ref)
        assert doc.region in {region, "ALL"}, (line, ref)
        found.append(doc)
    return found


def test_retrieval_queries_point_at_real_sections_of_their_own_tenant() -> None:
    lines = read_jsonl("retrieval_queries.jsonl")
    assert len(lines) >= 80
    assert {line["kind"] for line in lines} == QUERY_KINDS
    assert len({(line["query"], line["client_id"]) for line in lines}) == len(lines)
    for line in lines:
        assert set(line) == {"query", "client_id", "region", "relevant", "kind"}, line
        assert line["region"] in client_regions()[line["client_id"]], line
        check_relevant(line, line["region"])


@pytest.mark.parametrize("name", ["policy_questions.jsonl"])
def test_policy_questions_have_facts_their_relevant_sections_state(name: str) -> None:
    lines = read_jsonl(name)
    assert len(lines) >= 40
    assert len({line["id"] for line in lines}) == len(lines)
    keys = {"id", "client_id", "region", "tier", "question", "expect_facts", "relevant"}
    docs = doc_index()
    for line in lines:
        assert set(line) == keys, line
        assert line["region"] in client_regions()[line["client_id"]], line
        Tier(line["tier"])
        check_relevant(line, line["region"])
        text = " ".join(docs[r["source_doc"]].sections[r["section"]] for r in line["relevant"])
        text = " ".join(text.split()).lower()
        assert line["expect_facts"], line
        for fact in line["expect_facts"]:
            assert " ".join(fact.split()).lower() in text, (line["id"], fact)
