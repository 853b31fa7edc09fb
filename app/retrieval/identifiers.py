"""Exact identifiers (SKUs, AWBs, order ids, policy codes) in a normalised, single-token form.

Milvus Lite's analyzers split `SKU-9942-B` into `sku`, `9942`, `b`, so BM25 over the text
scores SKU-9942-A almost as high as SKU-9942-B. The identifier field holds each identifier as
one token (`sku9942b`) and gets its own BM25 leg, where only an exact identifier matches.
"""

from __future__ import annotations

import re

# A letter prefix and hyphenated parts with at least one digit: SKU-9942-B, AWB-7730012345,
# GBX-US-ELEC-R15, NWO-5100-FINAL. Digits are required so that words like "e-mail" stay words.
_HYPHENATED = re.compile(r"\b[A-Za-z]{2,5}(?:-[A-Za-z0-9]{1,12}){1,4}\b")
# The same written without hyphens: SKU9942B, ORD1000042.
_COMPACT = re.compile(r"\b[A-Za-z]{2,5}\d{3,}[A-Za-z]?\b")
# A SKU without its prefix, as customers write it: "the 9942-B stand", "sku 9942b".
_BARE_SKU = re.compile(r"(?<![A-Za-z0-9-])\d{4}-?[A-Za-z](?![A-Za-z0-9-])")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_DIGIT = re.compile(r"\d")

# Type prefixes that customers drop; identifiers with them also index their prefix-less form.
_DROPPABLE_PREFIXES = ("sku", "awb", "ord", "ref", "ret", "tck")


def normalise_identifier(raw: str) -> str:
    return _NOT_ALNUM.sub("", raw.lower())


def extract_identifiers(text: str) -> list[str]:
    """Normalised identifiers in order of appearance, each once, with prefix-less variants."""
    found: list[str] = []
    for pattern in (_HYPHENATED, _COMPACT, _BARE_SKU):
        for match in pattern.finditer(text):
            raw = match.group(0)
            if not _DIGIT.search(raw):
                continue
            token = normalise_identifier(raw)
            found.append(token)
            for prefix in _DROPPABLE_PREFIXES:
                if token.startswith(prefix) and token[len(prefix) :][:1].isdigit():
                    found.append(token[len(prefix) :])
    return list(dict.fromkeys(found))


def identifier_text(text: str) -> str:
    """The identifier field's content: normalised identifiers separated by spaces."""
    return " ".join(extract_identifiers(text))
