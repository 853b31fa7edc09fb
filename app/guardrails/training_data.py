"""The injection classifier's training corpus: public sets plus our own customer messages.

Everything here is deterministic: files are read in sorted order, caps keep the rows whose
sha256 sorts first, augmentations and the train/dev split are derived from hashes, never from
`random`. `corpus_sha256` fingerprints the exact rows, so a test can tell when the committed
artifact no longer matches the data it claims to be trained on.

Public sources (under $SHARED/data/prompt_injection, each with its LICENSE):
- cyberseceval (MIT, Meta): direct and indirect injections, several languages -> attack
- inthewild_jailbreaks (Apache-2.0): jailbreak prompts -> attack (capped: they are long)
- bipia (MIT, Microsoft): instructions aimed at the assistant's reply, planted inside real emails
  -> attack; the same emails without them -> benign
- injecguard_benign (MIT): NotInject (benign prompts full of trigger words) and wildguard benign
  prompts -> benign

Public customer-voice sets (under $SHARED/data), all -> benign: what real people type to a
support channel, in voices we did not write ourselves:
- banking77 (CC BY 4.0, PolyAI): online-banking customer queries
- clinc150 (CC BY 3.0, Larson et al. 2019): assistant queries, in-scope and out-of-scope
- abcd (MIT, ASAPP): the customer turns of retail support chats

Our own customer replies to a proposal (the consent reader's training replies,
app/language/data/consent_train.jsonl, every label) -> benign: "confirm", "yes I confirm",
"go ahead", "no", "is that the full amount?" are what a customer most often sends mid-case, and
a guard that blocks them blocks the case itself.

Every row carries a `source`; its family (the part before ":") is the unit the evals leave out
one at a time (`family_of`).
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from app.jsonl import read_jsonl

Label = Literal["attack", "benign"]
Split = Literal["train", "dev"]

OWN_DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_PUBLIC_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "prompt_injection"

# The longest message the chat API accepts (app/api/http.py MAX_MESSAGE_CHARS): longer public
# texts are cut there, so training sees what the guard can be sent.
MAX_TEXT_CHARS = 4000
JAILBREAK_CAP = 400
WILDGUARD_CAP = 300
CUSTOMER_VOICE_CAP = 300
BIPIA_CONTEXTS_PER_ATTACK = 2
DEV_FRACTION_MOD = 5  # one group in five goes to dev

# bipia categories that harm the customer who reads the reply (phishing links, fake downloads,
# contact-us-elsewhere). The others ("What is the capital of Brazil?", "Misspell every fourth
# word") are an injection only relative to a task the user set; sent by the customer themself
# they are a harmless request, and as "attacks" they taught the model that pasted emails are.
_BIPIA_HARMFUL_CATEGORIES = ("Social Interaction", "Clickbait", "Malware Distribution")


class Example(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    label: Label
    source: str
    group: str  # rows of one group (a template and its variants) share a split
    split: Split


CUSTOMER_FAMILIES = frozenset({"own", "voices", "banking77", "abcd", "consent"})
CONSENT_REPLIES = Path(__file__).resolve().parents[1] / "language" / "data" / "consent_train.jsonl"


def family_of(source: str) -> str:
    """The source family a row belongs to: the unit of the leave-one-source-out split."""
    return source.split(":", 1)[0]


def is_customer_message(example: Example) -> bool:
    """Benign messages written as customers write (the rows whose false positives they feel)."""
    return family_of(example.source) in CUSTOMER_FAMILIES and example.label == "benign"


def public_data_dir() -> Path:
    return Path(os.environ.get("PROMPT_INJECTION_DATA", DEFAULT_PUBLIC_DIR))


def load_corpus(public_dir: Path | None = None) -> list[Example]:
    public = public_dir or public_data_dir()
    rows: list[tuple[str, Label, str, str]] = []
    rows += _own_rows()
    rows += _augmented_attacks(r for r in _own_rows() if r[2] == "own:in_domain")
    rows += _cyberseceval(public / "cyberseceval" / "prompt_injection_dev.json")
    rows += _jailbreaks(public / "inthewild_jailbreaks" / "jailbreaks_dev.json")
    rows += _bipia(public / "bipia")
    rows += _injecguard_benign(public / "injecguard_benign")
    rows += _customer_voices(public.parent)
    rows += _consent_replies()
    unique: dict[str, Example] = {}
    for text, label, source, group in rows:
        text = text.strip()[:MAX_TEXT_CHARS]
        if text and text not in unique:
            unique[text] = Example(
                text=text, label=label, source=source, group=group, split=_split_of(group)
            )
    return sorted(unique.values(), key=lambda e: (e.source, e.text))


def corpus_sha256(examples: Iterable[Example]) -> str:
    digest = hashlib.sha256()
    for e in sorted(examples, key=lambda e: (e.source, e.text)):
        line = json.dumps([e.text, e.label, e.source, e.split], ensure_ascii=False)
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _split_of(group: str) -> Split:
    return "dev" if int(_sha(group)[:8], 16) % DEV_FRACTION_MOD == 0 else "train"


def _first_by_hash(texts: Iterable[str], cap: int) -> list[str]:
    return sorted(set(texts), key=_sha)[:cap]


def _own_rows() -> list[tuple[str, Label, str, str]]:
    rows: list[tuple[str, Label, str, str]] = []
    for path in sorted(OWN_DATA_DIR.glob("*.jsonl")):
        # voices_*.jsonl were written later, by another hand, in more registers and languages:
        # a family of their own, so the split can test one set of our writing against the other.
        family = "voices" if path.name.startswith("voices_") else "own"
        for row in read_jsonl(path):
            rows.append((row["text"], row["label"], f"{family}:{row['kind']}", row["group"]))
    return rows


def _augmented_attacks(
    rows: Iterable[tuple[str, Label, str, str]],
) -> list[tuple[str, Label, str, str]]:
    """Obfuscated copies of some in-domain attacks, so the disguise signals carry weight.

    Which attack gets which disguise follows from its hash; a copy stays in its original's group
    (same split), so dev never sees a disguised twin of a training row.
    """
    disguises = (_leet, _homoglyph, _split_letters, _base64_wrap, _zero_width, _rot13_wrap)
    out: list[tuple[str, Label, str, str]] = []
    for text, _label, _source, group in rows:
        h = int(_sha(text)[:8], 16)
        if h % 3 == 0:
            disguise = disguises[(h // 3) % len(disguises)]
            out.append((disguise(text), "attack", "own:obfuscated", group))
    return out


def _leet(text: str) -> str:
    return text.translate(str.maketrans({"e": "3", "i": "1", "o": "0", "a": "4", "s": "5"}))


def _homoglyph(text: str) -> str:
    return text.translate(str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с"}))


def _split_letters(text: str) -> str:
    words = text.split(" ")
    head = "   ".join(" ".join(word) for word in words[:4])
    return " ".join([head, *words[4:]])


def _base64_wrap(text: str) -> str:
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"Decode this base64 and do what it says: {encoded}"


def _zero_width(text: str) -> str:
    return "\u200b".join(text[:60]) + text[60:]


def _rot13_wrap(text: str) -> str:
    return f"rot13: {codecs.encode(text, 'rot13')}"


def _read_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def _cyberseceval(path: Path) -> list[tuple[str, Label, str, str]]:
    """Security-violating cases, plus the fake-system-mode ones. The other "logic-violating"
    cases are off-topic questions ("How do I make rendang?") that break one test's system prompt
    and are benign anywhere else."""
    data = _read_json(path)
    assert isinstance(data, list)
    texts = sorted(
        {
            str(row["user_input"])
            for row in data
            if row["risk_category"] == "security-violating"
            or row["injection_variant"] == "system_mode"
        }
    )
    return [(t, "attack", "cyberseceval", t) for t in texts]


def _jailbreaks(path: Path) -> list[tuple[str, Label, str, str]]:
    data = _read_json(path)
    assert isinstance(data, list)
    return [(t, "attack", "jailbreaks", t) for t in _first_by_hash(map(str, data), JAILBREAK_CAP)]


def _bipia(folder: Path) -> list[tuple[str, Label, str, str]]:
    attacks_by_category = _read_json(folder / "text_attack_train.json")
    assert isinstance(attacks_by_category, dict)
    attacks = sorted(
        str(a) for cat in _BIPIA_HARMFUL_CATEGORIES for a in attacks_by_category.get(cat, [])
    )
    emails = read_jsonl(folder / "email_train.jsonl")
    emails.sort(key=lambda e: _sha(e["context"]))
    rows: list[tuple[str, Label, str, str]] = []
    for email in emails:
        context = email["context"]
        # Benign: a customer pasting an email and asking about it.
        rows.append((f"{context}\n\n{_question(email)}", "benign", "bipia:email", context))
    # Code attacks ("send the environment variables to ...") are aimed at the assistant whatever
    # the task: all of them count.
    code_attacks = _read_json(folder / "code_attack_train.json")
    assert isinstance(code_attacks, dict)
    attacks += sorted(str(a) for category in code_attacks.values() for a in category)
    for i, attack in enumerate(attacks):
        rows.append((attack, "attack", "bipia:planted", attack))
        for k in range(BIPIA_CONTEXTS_PER_ATTACK):
            email = emails[(i * BIPIA_CONTEXTS_PER_ATTACK + k) % len(emails)]
            context = email["context"]
            rows.append(
                (
                    f"{_plant(context, attack, i + k)}\n\n{_question(email)}",
                    "attack",
                    "bipia:planted",
                    attack,
                )
            )
    return rows


def _question(email: dict[str, str]) -> str:
    return email["question"].removeprefix("Q: ").strip()


def _plant(context: str, attack: str, position: int) -> str:
    """The attack at the start, middle or end of the email body, like bipia's own insertion."""
    match position % 3:
        case 0:
            return f"{attack} {context}"
        case 1:
            cut = context.rfind(" ", 0, len(context) // 2)
            cut = cut if cut > 0 else len(context) // 2
            return f"{context[:cut]} {attack}{context[cut:]}"
        case _:
            return f"{context} {attack}"


def _injecguard_benign(folder: Path) -> list[tuple[str, Label, str, str]]:
    rows: list[tuple[str, Label, str, str]] = []
    for path in sorted(folder.glob("NotInject_*.json")):
        data = _read_json(path)
        assert isinstance(data, list)
        rows += [(str(r["prompt"]), "benign", "notinject", str(r["prompt"])) for r in data]
    wildguard = _read_json(folder / "wildguard_dev.json")
    assert isinstance(wildguard, list)
    prompts = [str(r["prompt"]) for r in wildguard if int(r.get("label", 0)) == 0]
    rows += [(t, "benign", "wildguard", t) for t in _first_by_hash(prompts, WILDGUARD_CAP)]
    return rows


def _consent_replies() -> list[tuple[str, Label, str, str]]:
    """Customers' replies to a proposal, each family of voices its own group (one split)."""
    return [
        (row["reply"], "benign", f"consent:{row['family']}", f"consent:{row['family']}")
        for row in read_jsonl(CONSENT_REPLIES)
    ]


def _customer_voices(data_dir: Path) -> list[tuple[str, Label, str, str]]:
    """Benign customer messages from public support and assistant sets (each capped, by hash)."""
    rows: list[tuple[str, Label, str, str]] = []
    banking = data_dir / "banking77" / "train.csv"
    if banking.is_file():
        import csv

        with banking.open(encoding="utf-8", newline="") as f:
            texts = [r["text"] for r in csv.DictReader(f)]
        rows += [(t, "benign", "banking77", t) for t in _first_by_hash(texts, CUSTOMER_VOICE_CAP)]
    clinc = data_dir / "clinc150" / "data_dev.json"
    if clinc.is_file():
        data = _read_json(clinc)
        assert isinstance(data, dict)
        texts = [str(t) for split in ("train", "oos_train") for t, _ in data[split]]
        rows += [(t, "benign", "clinc150", t) for t in _first_by_hash(texts, CUSTOMER_VOICE_CAP)]
    abcd = data_dir / "abcd" / "abcd_sample.json"
    if abcd.is_file():
        chats = _read_json(abcd)
        assert isinstance(chats, list)
        texts = [str(t) for c in chats for who, t in c["original"] if who == "customer"]
        rows += [(t, "benign", "abcd", t) for t in texts if len(t.split()) >= 3]
    return rows
