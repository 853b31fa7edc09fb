"""What the Policy agent puts in front of the model: the query it searches with, and the lines
of the retrieved chunks that most likely answer the question.

All deterministic. A 135M model copies well and judges poorly, so the judgement is done here:

- `plan_query` rewrites the customer's message with what hydration knows (tier) and what the
  message or the platform reveals (product category, SKUs);
- `candidate_lines` cuts each retrieved chunk into lines a customer can read on their own:
  sentences, list items, and table rows rendered as "Return windows by category and tier,
  Apparel: policy code NWO-UK-APPA-R28, Gold 58 days." (only the customer's tier column, only
  rows of their region and of the category asked about);
- `rank_lines` scores the lines against the question (IDF-weighted word overlap, identifiers,
  a cue for "how long / how much" questions, the retrieval rank), so the best line comes first
  in the prompt, and is the line the fallback quotes when the model's answer is not grounded;
- `select_passages` keeps the chunks holding the best lines, each with its best few lines,
  labelled for the model (P1.1, P1.2, P2.1, ...).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from app.agents.grounding import content_words, values_in
from app.platform.contract import SKU_PATTERN, Category, Region, Tier
from app.retrieval.identifiers import extract_identifiers
from app.retrieval.query import QueryContext, rewrite_query
from app.tools.spec import PolicyChunk

SKU = re.compile(SKU_PATTERN.strip("^$"))
_TIERS = tuple(t.value for t in Tier)
_REGIONS = tuple(r.value for r in Region)
_CATEGORIES = frozenset(c.value for c in Category)
_LINE_MAX_CHARS = 280
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z£€$(\"'0-9])")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")

# Words customers use for products, longest phrases first when matching. Beyond the seeded
# catalogue's product names, the everyday words for the same things.
_CATEGORY_WORDS: dict[Category, tuple[str, ...]] = {
    Category.ACCESSORIES: tuple(
        (
            "phone case|laptop sleeve|laptop stand|watch strap|card wallet|belt|tote|"
            "backpack|bag|beanie|hat|scarf|sunglasses|wallet|cable|sleeve|strap|accessory|"
            "accessories|gloves"
        ).split("|")
    ),
    Category.BEAUTY: tuple(
        (
            "lip balm|bath products|face serum|hand cream|hair mask|shaving kit|serum|"
            "sunscreen|cream|balm|moisturiser|moisturizer|shampoo|perfume|fragrance|makeup|"
            "make-up|cosmetics|skincare|grooming|beauty|lipstick"
        ).split("|")
    ),
    Category.FOOTWEAR: tuple(
        (
            "running shoes|shoe|shoes|boot|boots|trainer|trainers|sneaker|sneakers|sandal|"
            "sandals|loafer|loafers|slipper|slippers|footwear"
        ).split("|")
    ),
    Category.APPAREL: tuple(
        (
            "t-shirt|jacket|coat|overcoat|jumper|sweater|cardigan|hoodie|shirt|tee|"
            "trousers|jeans|chinos|dress|skirt|shorts|vest|pants|clothes|clothing|knitwear|"
            "top|blouse|suit|apparel"
        ).split("|")
    ),
    Category.ELECTRONICS: tuple(
        (
            "air fryer|power bank|robot vacuum|e-reader|headphones|earbuds|speaker|monitor|"
            "keyboard|mouse|ssd|camera|smartwatch|webcam|vacuum|kettle|tablet|phone|laptop|"
            "tv|television|console|charger|device|electronics|streaming stick"
        ).split("|")
    ),
    Category.HOME: tuple(
        (
            "dinner set|standing desk|bath towel|table lamp|area rug|coffee grinder|"
            "skillet|duvet|desk|lamp|throw|knife|basket|towel|carafe|chair|bookshelf|"
            "curtains|curtain|rug|grinder|furniture|wardrobe|sofa|bedding|mattress|cushion|"
            "home"
        ).split("|")
    ),
}
_CATEGORY_PHRASES = sorted(
    ((phrase, category) for category, words in _CATEGORY_WORDS.items() for phrase in words),
    key=lambda item: -len(item[0]),
)
# The question's words that the policy text says differently, and the words it uses instead.
_SYNONYMS_RAW: dict[str, tuple[str, ...]] = {
    "send": ("return",),
    "back": ("return",),
    "long": ("day", "window"),
    "until": ("day", "window"),
    "soon": ("day", "within"),
    "quickly": ("day", "within"),
    "broken": ("damaged", "faulty"),
    "fault": ("faulty",),
    "never": ("received",),
    "got": ("received",),
    "wore": ("worn",),
    "wear": ("worn",),
    "instantly": ("immediately", "approved"),
    "straight": ("immediately", "approved"),
    "immediately": ("approved",),
    "law": ("statutory", "legal", "right"),
    "legal": ("statutory", "right"),
    "cost": ("cost", "charge", "free"),
    "charge": ("fee", "free"),
    "pay": ("cost", "free", "charge"),
    "spend": ("spent", "earned"),
    "become": ("earned", "reach"),
    "reach": ("earned",),
    "arrive": ("reach", "within"),
    "money": ("refund",),
    "missing": ("lost", "received"),
    "extra": ("bonus", "extra"),
    "cancel": ("cancel", "cancellation", "withdrawal"),
    "start": ("start", "delivery"),
}
_SYNONYMS = {content_words(k)[0]: v for k, v in _SYNONYMS_RAW.items() if content_words(k)}
# How the policy text refers to a category's products besides the category's name.
_CATEGORY_TERMS = {"electronics": ("device",), "apparel": ("clothing",), "home": ("furniture",)}
_HOW_LONG = re.compile(
    r"\b(how long|how many days|how soon|how quickly|until when|window|when does|how fast)\b",
    re.IGNORECASE,
)
_TIME_UNITS = frozenset({"day", "hour", "week", "month", "year"})
_MONEY = re.compile(r"[£€$]\s?\d|\d\s?(?:GBP|EUR|USD)\b")
_REGION_NAMES = {"US": "US United States", "UK": "UK United Kingdom", "EU": "EU European Union"}
_HOW_MUCH = re.compile(
    r"\b(how much|how big|what amount|up to what|cost|charge|fee|spend|price|pay)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QueryPlan:
    """What the agent searches with, and what it knows about the question."""

    message: str
    query: str  # the rewritten text sent to search_policy_kb
    tier: str
    region: str
    category: str | None
    skus: tuple[str, ...]


def detect_category(message: str) -> Category | None:
    found = _category_phrase(message)
    return found[1] if found else None


def _category_phrase(message: str) -> tuple[str, Category] | None:
    text = " " + re.sub(r"[^a-z0-9-]+", " ", message.lower()) + " "
    for phrase, category in _CATEGORY_PHRASES:
        if f" {phrase} " in text:
            return phrase, category
    return None


def skus_in(message: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(SKU.findall(message)))


# A policy code as the documents write them: a prefix and two to four more parts in capitals
# (NWO-UK-APPA-R28, GBX-9942-B-R14, NWO-UK-BEAU-FINAL). The platform's own ids are not codes.
_POLICY_CODE = re.compile(r"(?<![A-Za-z0-9-])[A-Z]{2,5}(?:-[A-Z0-9]{1,12}){2,4}(?![A-Za-z0-9-])")
_PLATFORM_ID_PREFIXES = ("SKU-", "ORD-", "AWB-", "REF-", "RET-", "TCK-", "NTF-", "CUS-")


def policy_codes_in(message: str) -> tuple[str, ...]:
    codes = (c for c in _POLICY_CODE.findall(message) if not c.startswith(_PLATFORM_ID_PREFIXES))
    return tuple(dict.fromkeys(codes))


def plan_query(message: str, *, tier: str, region: str, category: str | None = None) -> QueryPlan:
    """The search text: the message plus tier and category (the search adds the region)."""
    found = category or (c.value if (c := detect_category(message)) else None)
    rewritten = rewrite_query(message, QueryContext(tier=tier, category=found))
    return QueryPlan(
        message=message,
        query=rewritten.text[:500],
        tier=tier,
        region=region,
        category=found,
        skus=skus_in(message),
    )


# ---------------------------------------------------------------- lines of a chunk


@dataclass(frozen=True)
class Line:
    chunk_id: str
    text: str
    position: int  # order within the chunk
    rank: int  # the chunk's retrieval rank (0 = best)
    score: float = 0.0


def chunk_header(chunk: PolicyChunk) -> str:
    first = chunk.text.split("\n", 1)[0].strip()
    return first or chunk.section


def candidate_lines(
    chunk: PolicyChunk,
    *,
    tier: str,
    region: str,
    category: str | None = None,
    rank: int = 0,
) -> list[Line]:
    """Readable lines of one chunk, in document order (its header line excluded). Table rows
    for another region, or for another category than the one asked about, are left out."""
    body = chunk.text.split("\n", 1)[1] if "\n" in chunk.text else chunk.text
    texts: list[str] = []
    table: list[list[str]] = []
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            texts.extend(_sentences(" ".join(paragraph)))
            paragraph.clear()

    def flush_table() -> None:
        if table:
            texts.extend(
                _table_lines(
                    table, section=chunk.section, tier=tier, region=region, category=category
                )
            )
            table.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith("|"):
            flush_paragraph()
            table.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        flush_table()
        if not line:
            flush_paragraph()
        elif _LIST_MARKER.match(line):
            flush_paragraph()
            paragraph.append(_LIST_MARKER.sub("", line))
        else:
            paragraph.append(line)
    flush_paragraph()
    flush_table()
    cleaned = [_clean(t) for t in texts]
    return [
        Line(chunk.chunk_id, text, position, rank)
        for position, text in enumerate(t for t in cleaned if len(t) >= 12)
    ]


def _clean(text: str) -> str:
    text = text.replace("`", "").replace("**", "")
    text = " ".join(text.split())
    if len(text) > _LINE_MAX_CHARS:
        cut = text.rfind(", ", 0, _LINE_MAX_CHARS)
        text = text[: cut if cut > 80 else _LINE_MAX_CHARS].rstrip(",;: ") + "."
    return text


def _sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_BREAK.split(paragraph) if s.strip()]


def _table_lines(
    rows: list[list[str]], *, section: str, tier: str, region: str, category: str | None
) -> list[str]:
    """Each row as a sentence that reads on its own: "Apparel return windows, EU: policy code
    KHL-EU-APPA-R30, Gold 60 days." Tier columns other than the customer's are left out, and
    so are rows for another region."""
    header, body = rows[0], [r for r in rows[1:] if not all(set(c) <= set("-: ") for c in r)]
    has_tiers = any(name in _TIERS for name in header)
    keep = [
        i
        for i, name in enumerate(header)
        if i > 0 and (name not in _TIERS or (has_tiers and name == tier))
    ]
    out = []
    for row in body:
        if len(row) != len(header):
            continue
        first = row[0]
        if first in _REGIONS and first != region:
            continue  # a row for another region does not apply to this customer
        named = {cell.lower() for cell in row} & _CATEGORIES
        if category and named and category not in named:
            continue  # a row for another product category
        pairs = ", ".join(f"{_column(header[i])} {row[i]}" for i in keep if row[i])
        out.append(f"{section}, {first}: {pairs}." if pairs else f"{section}, {first}.")
    return out


def _column(name: str) -> str:
    return name if name in _TIERS else name[:1].lower() + name[1:]


# ---------------------------------------------------------------- ranking


def _applies(text: str, plan: QueryPlan) -> bool:
    """A line about other SKUs only (the look-alike product) does not answer a SKU question."""
    if not plan.skus:
        return True
    named = set(SKU.findall(text))
    return not named or bool(named & set(plan.skus))


def question_terms(plan: QueryPlan) -> dict[str, float]:
    """Weighted terms of the question: its own words, then their policy synonyms, tier and
    category words; all normalised like the lines' words (content_words)."""
    terms: dict[str, float] = {}

    def add(text: str, weight: float) -> None:
        for word in content_words(text):
            terms[word] = max(terms.get(word, 0.0), weight)

    found = _category_phrase(plan.message)
    # The product's own words matter less than its category, which the policy text names.
    product = set(content_words(found[0])) if found else set()
    how_long = bool(_HOW_LONG.search(plan.message))
    for word in content_words(plan.message):
        if not (how_long and word == "long"):  # "how long" asks for a number of days
            add(word, 0.3 if word in product else 1.0)
        add(" ".join(_SYNONYMS.get(word, ())), 0.6)
    if plan.category:
        add(plan.category, 0.8)
        add(" ".join(_CATEGORY_TERMS.get(plan.category, ())), 0.6)
    add(plan.tier, 0.4)
    return terms


def rank_lines(plan: QueryPlan, chunks: Sequence[PolicyChunk]) -> list[Line]:
    """Every candidate line of the retrieved chunks, best first."""
    lines = [
        line
        for rank, chunk in enumerate(chunks)
        for line in candidate_lines(
            chunk, tier=plan.tier, region=plan.region, category=plan.category, rank=rank
        )
        if _applies(line.text, plan)
    ]
    if not lines:
        return []
    words_of = [set(content_words(line.text)) for line in lines]
    headers = {c.chunk_id: set(content_words(chunk_header(c))) for c in chunks}
    frequency = Counter(w for words in words_of for w in words)
    idf = {w: math.log(1 + len(lines) / n) for w, n in frequency.items()}
    terms = question_terms(plan)
    asked_ids = set(extract_identifiers(plan.message))
    asked_skus = {s.lower().replace("-", "") for s in plan.skus}
    how_long, how_much = bool(_HOW_LONG.search(plan.message)), bool(_HOW_MUCH.search(plan.message))
    region_words = set(content_words(_REGION_NAMES.get(plan.region, plan.region)))
    scored = []
    for line, words in zip(lines, words_of, strict=True):
        header = headers.get(line.chunk_id, set())
        score = 0.0
        for term, weight in terms.items():
            if term in words:
                score += weight * idf.get(term, 1.0)
            elif term in header:
                score += 0.5 * weight
        line_ids = set(extract_identifiers(line.text))
        score += 3.0 * len(asked_ids & line_ids)
        # A line about the look-alike product answers a different question.
        other_skus = {i for i in line_ids if i.startswith("sku")} - asked_skus
        if asked_skus and other_skus:
            score -= 2.0
        values = values_in(line.text)
        if how_long and any(v.isdigit() for v in values) and words & _TIME_UNITS:
            score += 2.0
        if how_much and (_MONEY.search(line.text) or "free" in words):
            score += 1.5
        if region_words & words:
            score += 0.5
        score += 0.8 / (1 + line.rank) - 0.02 * line.position
        scored.append(
            Line(line.chunk_id, line.text, line.position, line.rank, score=round(score, 4))
        )
    scored.sort(key=lambda line: (-line.score, line.rank, line.position))
    return scored


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk as the model sees it: a short label, its header, its best lines."""

    label: str
    chunk: PolicyChunk
    lines: tuple[Line, ...]

    def render(self) -> str:
        """The passage's header, then each line under its label (P1.1, P1.2, ...)."""
        body = "\n".join(f"{self.label}.{i}: {line.text}" for i, line in enumerate(self.lines, 1))
        return f"{self.label} ({chunk_header(self.chunk)})\n{body}"


def select_passages(
    ranked: Sequence[Line],
    chunks: Sequence[PolicyChunk],
    *,
    max_passages: int = 3,
    lines_per_passage: int = 3,
) -> list[Passage]:
    """The chunks holding the best lines, in the order of their best line, each with its best
    few lines (best first)."""
    by_id = {c.chunk_id: c for c in chunks}
    order: list[str] = []
    lines: dict[str, list[Line]] = {}
    for line in ranked:
        if line.chunk_id not in lines:
            if len(order) == max_passages:
                continue
            order.append(line.chunk_id)
            lines[line.chunk_id] = []
        if len(lines[line.chunk_id]) < lines_per_passage:
            lines[line.chunk_id].append(line)
    return [
        Passage(f"P{i}", by_id[chunk_id], tuple(lines[chunk_id]))
        for i, chunk_id in enumerate(order, 1)
    ]
