"""CLINC150 (clinc/oos-eval, CC BY 3.0, Larson et al. 2019): the splits the intent eval uses, and
the out-of-scope exemplars the router borrows from it.

    python -m evals.clinc150 [--clinc150 DIR]   # rewrites app/routing/data/exemplars_clinc150.jsonl

Exemplars come only from `oos_train` (a fixed-seed sample) and from `train` (one sentence per
intent unrelated to orders), so `oos_val`, the rest of `oos_train` and `val` stay unseen for
`python -m evals.intents --clinc150`. The local copy holds `data_dev.json` (train, val,
oos_train, oos_val) and `domains.json`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = Path("/work/shared/data/clinc150")
EXEMPLAR_FILE = REPO_ROOT / "app" / "routing" / "data" / "exemplars_clinc150.jsonl"
ORDER_EXEMPLAR_FILE = REPO_ROOT / "app" / "routing" / "data" / "exemplars_clinc150_orders.jsonl"
# CLINC150's `order_status` is the one intent of ours it has, written by crowd workers who never
# saw our exemplars: a public in-scope voice. It mixes "where is it" with "when will it come",
# which we tell apart (order_status vs eta), so each sentence is labelled by the question it asks.
ORDER_EXEMPLARS = 50
_ASKS_WHEN = re.compile(r"\b(when|how soon|how long|what day|coming today)\b")
SEED = 150
OOS_EXEMPLARS = 40
UNRELATED_EVAL_PER_INTENT = 3
# Intents about orders, and conversational turns (yes/no/thanks/hello) whose right route is a
# product decision rather than a refusal: neither borrowed as exemplars nor counted as unrelated.
NOT_UNRELATED = frozenset(
    {
        "order_status",
        "order",
        "shopping_list",
        "shopping_list_update",
        "greeting",
        "goodbye",
        "thank_you",
        "what_can_i_ask_you",
    }
)
CONVERSATIONAL_DOMAINS = frozenset({"meta"})


@dataclass(frozen=True)
class Clinc150:
    train: list[tuple[str, str]]
    val: list[tuple[str, str]]
    oos_train: list[str]
    oos_val: list[str]
    unrelated_intents: frozenset[str]

    @classmethod
    def read(cls, directory: Path) -> Clinc150:
        data = json.loads((directory / "data_dev.json").read_text(encoding="utf-8"))
        domains: dict[str, list[str]] = json.loads(
            (directory / "domains.json").read_text(encoding="utf-8")
        )
        unrelated = frozenset(
            intent
            for domain, intents in domains.items()
            if domain not in CONVERSATIONAL_DOMAINS
            for intent in intents
            if intent not in NOT_UNRELATED
        )
        return cls(
            train=[(t, i) for t, i in data["train"]],
            val=[(t, i) for t, i in data["val"]],
            oos_train=[t for t, _ in data["oos_train"]],
            oos_val=[t for t, _ in data["oos_val"]],
            unrelated_intents=unrelated,
        )

    def exemplar_sample(self) -> list[tuple[str, str]]:
        """(text, source intent) pairs borrowed as out_of_scope exemplars; deterministic."""
        rng = random.Random(SEED)
        picked = [(t, "oos") for t in rng.sample(sorted(set(self.oos_train)), OOS_EXEMPLARS)]
        for intent in sorted(self.unrelated_intents):
            texts = sorted({t for t, label in self.train if label == intent})
            picked.append((rng.choice(texts), intent))
        return picked

    def oos_eval(self, exclude: set[str]) -> list[str]:
        """Out-of-scope sentences not used as exemplars (`exclude`: normalised texts)."""
        from app.routing.exemplar_index import normalised_for_overlap

        return [
            t for t in [*self.oos_train, *self.oos_val] if normalised_for_overlap(t) not in exclude
        ]

    def unrelated_eval(self) -> list[str]:
        """A fixed sample of `val` sentences of intents unrelated to orders."""
        by_intent: dict[str, list[str]] = {}
        for text, intent in self.val:
            if intent in self.unrelated_intents:
                by_intent.setdefault(intent, []).append(text)
        rng = random.Random(SEED)
        return [
            text
            for intent in sorted(by_intent)
            for text in rng.sample(sorted(by_intent[intent]), UNRELATED_EVAL_PER_INTENT)
        ]


def order_exemplars(corpus: Clinc150) -> list[tuple[str, str]]:
    """(text, our intent) for a fixed sample of CLINC150's `order_status` train sentences."""
    texts = sorted({t for t, label in corpus.train if label == "order_status"})
    picked = random.Random(SEED).sample(texts, min(ORDER_EXEMPLARS, len(texts)))
    return [(t, "eta" if _ASKS_WHEN.search(t) else "order_status") for t in picked]


def write_order_exemplars(corpus: Clinc150, target: Path = ORDER_EXEMPLAR_FILE) -> int:
    rows = order_exemplars(corpus)
    with target.open("w", encoding="utf-8") as out:
        for text, intent in rows:
            row = {"text": text, "intent": intent, "source": "clinc150:order_status"}
            out.write(json.dumps(row) + "\n")
    return len(rows)


def write_exemplars(corpus: Clinc150, target: Path = EXEMPLAR_FILE) -> int:
    rows = corpus.exemplar_sample()
    with target.open("w", encoding="utf-8") as out:
        for text, source in rows:
            row = {"text": text, "intent": "out_of_scope", "source": f"clinc150:{source}"}
            out.write(json.dumps(row) + "\n")
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clinc150", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    corpus = Clinc150.read(args.clinc150)
    count = write_exemplars(corpus)
    print(f"wrote {count} exemplars to {EXEMPLAR_FILE.relative_to(REPO_ROOT)}")
    count = write_order_exemplars(corpus)
    print(f"wrote {count} exemplars to {ORDER_EXEMPLAR_FILE.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
