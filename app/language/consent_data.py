"""The consent reader's data: replies to proposals, each labelled and tagged with its family.

A family is one voice or author style (terse, angry, non-native ...). Training and dev data come
from different families, and the training report holds each family out in turn, because the
reader is judged on replies written by people we never met. `data_sha256` fingerprints the exact
rows, so a test can tell when the committed artifact no longer matches its data.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from app.language.consent import ConsentLabel

TRAIN_PATH = Path(__file__).resolve().parent / "data" / "consent_train.jsonl"


class ConsentExample(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    proposal: str
    reply: str
    label: ConsentLabel
    family: str = "unknown"


def load_examples(path: Path = TRAIN_PATH) -> list[ConsentExample]:
    # Split on "\n" only: str.splitlines() would also split inside strings on U+2028.
    lines = path.read_text(encoding="utf-8").split("\n")
    return [ConsentExample.model_validate(json.loads(line)) for line in lines if line.strip()]


def data_sha256(examples: list[ConsentExample]) -> str:
    digest = hashlib.sha256()
    for row in sorted(json.dumps(e.model_dump(mode="json"), sort_keys=True) for e in examples):
        digest.update(row.encode("utf-8") + b"\n")
    return digest.hexdigest()
