"""Typed-in-a-hurry copies of the router's exemplars: `python -m app.routing.augment`.

Customers write "wher is my oder" and "pls refnd" far more often than our exemplars do, and the
encoder's word pieces for a misspelt word land away from the word's own. One noisy copy of each
exemplar (lowercased, punctuation dropped, text-speak for common words, a few slipped keys) teaches
the linear head those regions without anyone writing misspellings by hand. Deterministic (fixed
seed); each copy keeps its parent's source family, so leaving a family out leaves its copies out.
Written in-house: the augmentation libraries (nlpaug, textattack) are not in the lock file.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from app.routing.exemplar_index import DATA_DIR, read_exemplars

SOURCE_FILES: tuple[Path, ...] = (
    DATA_DIR / "exemplars.jsonl",
    DATA_DIR / "exemplars_voices.jsonl",
    DATA_DIR / "exemplars_registers.jsonl",
    DATA_DIR / "exemplars_clinc150_orders.jsonl",
    DATA_DIR / "exemplars_styles.jsonl",
)
TARGET = DATA_DIR / "exemplars_noisy.jsonl"
SEED = 16
# About one slipped key per this many letters of a word longer than three letters.
KEY_SLIP_EVERY = 16
TEXT_SPEAK = {
    "you": "u",
    "your": "ur",
    "are": "r",
    "please": "pls",
    "thanks": "thx",
    "for": "4",
    "to": "2",
    "because": "bc",
    "what": "wat",
    "when": "wen",
    "have": "hav",
}
_QWERTY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {
    ch: "".join(row[j] for j in (i - 1, i + 1) if 0 <= j < len(row))
    for row in _QWERTY_ROWS
    for i, ch in enumerate(row)
}
_IDS = re.compile(r"\b(?:ORD|AWB|SKU)-[\w-]+\b", re.IGNORECASE)
_ID_SLOT = "idslot"
_PUNCTUATION = re.compile(r"[^\w\s-]")


def noisy(text: str, rng: random.Random) -> str:
    ids = _IDS.findall(text)
    # Ids are kept as they are (the router reads them): a placeholder word survives the noise.
    text = _IDS.sub(f" {_ID_SLOT} ", text)
    words = _PUNCTUATION.sub("", text.lower()).split()
    out = []
    for word in words:
        if word == _ID_SLOT:
            out.append(word)
        elif word in TEXT_SPEAK and rng.random() < 0.5:
            out.append(TEXT_SPEAK[word])
        elif len(word) > 3 and word.isalpha() and rng.random() < len(word) / KEY_SLIP_EVERY:
            out.append(_slip(word, rng))
        else:
            out.append(word)
    result = " ".join(out)
    for original in ids:
        result = result.replace(_ID_SLOT, original, 1)
    return result


def _slip(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    kind = rng.choice(("drop", "swap", "double", "neighbour"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    near = _NEIGHBOURS.get(word[i])
    return word[:i] + rng.choice(near) + word[i + 1 :] if near else word[:i] + word[i + 1 :]


def write(target: Path = TARGET) -> int:
    rng = random.Random(SEED)
    rows = []
    for exemplar in read_exemplars(SOURCE_FILES):
        copy = noisy(exemplar.text, rng)
        if copy and copy != exemplar.text.lower():
            # The parent's family before ":" keeps leave-one-source-out honest.
            rows.append(
                {"text": copy, "intent": exemplar.intent, "source": f"{exemplar.family}:noisy"}
            )
    with target.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


if __name__ == "__main__":
    print(f"wrote {write()} noisy exemplars to {TARGET.name}")
