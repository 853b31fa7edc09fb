"""The consent reader: what the customer's reply to a proposal means, and whether it executes.

    yes          an explicit yes to these exact terms: the only label that executes
    no           a refusal, a cancellation, "I changed my mind"
    conditional  a yes with a change or a condition ("ok if it's the full amount")
    question     a question, with or without "?" ("is that correct", "yes what?")
    counter      a different request (another order, amount, item or outcome)
    unclear      sarcasm, hesitation, off-topic

A multinomial logistic regression over [MiniLM embedding of the reply, with the proposal's own
ids and amounts masked ‖ the form cues of consent_cues] scores the six labels; its weights live
in `models/consent.json`, written by `python -m app.language.train_consent`. A yes must then
clear two gates no score can override: its probability must reach the artifact's threshold,
and no veto may fire (a question form, a negation, a condition, sarcasm or hedging, or any
order, amount, number, item or outcome that is not the proposal's). A vetoed yes becomes the
veto's label; a veto never makes a yes. The cues read the form in English and in the languages
of `consent_lexicon` (German, Spanish, French, Dutch, Portuguese, Polish, Italian), which the
English embedding cannot; the threshold never goes below 0.5 (yes must be the likeliest label).

Vetoes are read over the whole reply, so "yes go ahead, but don't call me" would be vetoed by a
negation about something else. A reply that is not read as a yes is therefore read a second
time without the clauses `consent_scope` proves to be about something the proposal does not do
(contact, courtesy, a past-tense story, leading filler): the same cues and head decide on what
is left, and only their yes replaces the first reading.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict

from app.language.consent_asides import AsideJudge, AsideModel
from app.language.consent_context import answer_in_context
from app.language.consent_cues import TERM_VETOES, Cues, Veto, read_cues
from app.language.consent_scope import (
    AsideJudgement,
    clauses,
    consent_part,
    without_courtesy_idioms,
)
from app.language.consent_story import story_answer
from app.language.consent_terms import ProposalTerms
from app.language.foreign_assent import foreign_assent, vetoed_in_own_language
from app.language.mentions import _IDS, _MONEY, normalise, same_amount
from app.language.readable import LEXICON_LANGUAGES, unread_part
from app.language.restated_terms import without_restated_limit
from app.language.signatory import with_signer

if TYPE_CHECKING:
    from app.routing.embeddings import SentenceEncoder

ARTIFACT_PATH = Path(__file__).resolve().parent / "models" / "consent.json"
EMBEDDING_DIM = 384


class ConsentLabel(StrEnum):
    YES = "yes"
    NO = "no"
    CONDITIONAL = "conditional"
    QUESTION = "question"
    COUNTER = "counter"
    UNCLEAR = "unclear"


LABELS: tuple[ConsentLabel, ...] = tuple(ConsentLabel)
CUE_FEATURES: tuple[str, ...] = (
    *(v.value for v in Veto),
    "affirmative",
    "assent_share",
    "short",
    "long",
)

# The label a vetoed yes becomes, strongest reading first.
_VETO_LABELS: tuple[tuple[frozenset[Veto], ConsentLabel], ...] = (
    (frozenset({Veto.QUESTION}), ConsentLabel.QUESTION),
    (frozenset({Veto.CONDITION}), ConsentLabel.CONDITIONAL),
    (TERM_VETOES, ConsentLabel.COUNTER),
    (frozenset({Veto.SARCASM, Veto.HEDGE}), ConsentLabel.UNCLEAR),
    (frozenset({Veto.NEGATION}), ConsentLabel.NO),
    (frozenset({Veto.NO_ASSENT}), ConsentLabel.UNCLEAR),
)


class ConsentReading(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: ConsentLabel
    model_label: ConsentLabel  # what the classifier alone said
    p_yes: float
    vetoes: list[str]
    # Terms the reply names that are not the proposal's (for the confirm node's change paths).
    other_order_ids: list[str]
    other_awbs: list[str]
    other_amounts: list[float]
    # The words the yes was read on, when clauses about something else were set aside
    # ("yes, no need to call me" is read as "yes,"); None when the whole reply was read.
    read_as: str | None = None

    @property
    def executes(self) -> bool:
        return self.label is ConsentLabel.YES


def masked_reply(reply: str, terms: ProposalTerms) -> str:
    """The reply with ids and amounts replaced by what they are relative to the proposal, so the
    embedding sees "that amount" / "a different amount" rather than digits it cannot compare."""
    text = normalise(reply)
    own = {terms.order_id, *terms.awbs}
    text = _IDS.sub(lambda m: "this order" if m.group(0).upper() in own else "another order", text)

    def amount(m: re.Match[str]) -> str:
        raw = (m.group("a") or m.group("b") or m.group("c")).replace(",", "")
        return "that amount" if same_amount(float(raw), terms.amount) else "a different amount"

    return _MONEY.sub(amount, text)


def cue_row(cues: Cues) -> list[float]:
    n = len(cues.words)
    return [
        *(1.0 if v in cues.vetoes else 0.0 for v in Veto),
        1.0 if cues.affirmative else 0.0,
        cues.assent_share,
        1.0 if n <= 3 else 0.0,
        1.0 if n >= 15 else 0.0,
    ]


def feature_rows(
    pairs: Sequence[tuple[str, ProposalTerms]], encoder: SentenceEncoder
) -> tuple[np.ndarray, list[Cues]]:
    cues = [read_cues(reply, terms) for reply, terms in pairs]
    embeddings = encoder.encode([masked_reply(reply, terms) for reply, terms in pairs])
    lexical = np.asarray([cue_row(c) for c in cues], dtype=np.float32).reshape(len(pairs), -1)
    return np.hstack([embeddings, lexical]), cues


@dataclass(frozen=True)
class ConsentModel:
    coef: np.ndarray  # (len(LABELS), EMBEDDING_DIM + len(CUE_FEATURES)), scaler folded in
    intercept: np.ndarray  # (len(LABELS),)
    yes_threshold: float

    @classmethod
    def load(cls, path: Path = ARTIFACT_PATH) -> ConsentModel:
        artifact = json.loads(path.read_text(encoding="utf-8"))
        if tuple(artifact["cue_features"]) != CUE_FEATURES or tuple(artifact["labels"]) != tuple(
            label.value for label in LABELS
        ):
            raise ValueError(
                f"{path} was trained with other features or labels: retrain with "
                "`python -m app.language.train_consent`"
            )
        return cls(
            coef=np.asarray(artifact["coef"], dtype=np.float64),
            intercept=np.asarray(artifact["intercept"], dtype=np.float64),
            yes_threshold=float(artifact["yes_threshold"]),
        )

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        logits = rows.astype(np.float64) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


def decide(
    probabilities: np.ndarray, cues: Cues, terms: ProposalTerms, yes_threshold: float
) -> ConsentReading:
    """The label from the model's probabilities and the vetoes (which only ever remove a yes)."""
    model_label = LABELS[int(np.argmax(probabilities))]
    p_yes = float(probabilities[LABELS.index(ConsentLabel.YES)])
    label = model_label
    if label is ConsentLabel.YES and (cues.vetoes or p_yes < yes_threshold):
        label = _non_yes(probabilities, cues)
    mentions = cues.mentions
    return ConsentReading(
        label=label,
        model_label=model_label,
        p_yes=round(p_yes, 4),
        vetoes=sorted(v.value for v in cues.vetoes),
        other_order_ids=sorted(set(mentions.order_ids) - {terms.order_id}),
        other_awbs=sorted(mentions.awbs),
        other_amounts=[a for a in mentions.amounts if not same_amount(a, terms.amount)],
    )


def _non_yes(probabilities: np.ndarray, cues: Cues) -> ConsentLabel:
    for vetoes, label in _VETO_LABELS:
        if cues.vetoes & vetoes:
            return label
    # Below the threshold with no veto: the model's best other reading.
    ranked = np.argsort(-probabilities)
    return next(LABELS[i] for i in ranked if LABELS[i] is not ConsentLabel.YES)


class ConsentReader:
    def __init__(
        self,
        model: ConsentModel | None = None,
        encoder: SentenceEncoder | None = None,
        asides: AsideModel | None = None,
    ):
        if encoder is None:
            from app.routing.embeddings import shared_encoder

            encoder = shared_encoder()
        self.encoder = encoder
        self.model = model or ConsentModel.load()
        self.asides = asides or AsideModel.load()

    def read(self, reply: str, terms: ProposalTerms) -> ConsentReading:
        return self.read_many([(reply, terms)])[0]

    def read_many(self, pairs: Sequence[tuple[str, ProposalTerms]]) -> list[ConsentReading]:
        if not pairs:
            return []
        pairs = [(as_read(reply, terms), terms) for reply, terms in pairs]
        rows, cues = feature_rows(pairs, self.encoder)
        probabilities = self.model.probabilities(rows)
        readings = with_foreign_assent(
            [
                decide(p, c, terms, self.model.yes_threshold)
                for p, c, (_, terms) in zip(probabilities, cues, pairs, strict=True)
            ],
            pairs,
        )
        undecided = [pair for pair, r in zip(pairs, readings, strict=True) if not r.executes]
        scoped = read_scoped(readings, pairs, self._read_parts, self._aside_judge(undecided))
        return [
            only_what_was_read(r, reply, terms)
            for r, (reply, terms) in zip(scoped, pairs, strict=True)
        ]

    def _aside_judge(self, pairs: Sequence[tuple[str, ProposalTerms]]) -> AsideJudge:
        """The aside model's verdicts on every clause a second reading may set aside."""
        candidates = sorted(
            {(clause, terms) for reply, terms in pairs for clause in aside_candidates(reply)},
            key=lambda c: c[0],
        )
        masked = [masked_reply(clause, terms) for clause, terms in candidates]
        return AsideJudge(self.asides, self.encoder, candidates, masked)

    def _read_parts(self, parts: Sequence[tuple[str, ProposalTerms]]) -> list[ConsentReading]:
        rows, cues = feature_rows(parts, self.encoder)
        readings = [
            decide(p, c, terms, self.model.yes_threshold)
            for p, c, (_, terms) in zip(self.model.probabilities(rows), cues, parts, strict=True)
        ]
        return with_foreign_assent(readings, parts)


def only_what_was_read(reading: ConsentReading, reply: str, terms: ProposalTerms) -> ConsentReading:
    """A yes read on text with a clause in a language the reader cannot read ("Ya, tapi saya
    tak nak refund") is not a yes: the vetoes could not see what that clause says. A plain
    go-ahead every word of which `foreign_assent` knows is read, whatever its language."""
    if not reading.executes:
        return reading
    text = reading.read_as or reply
    vetoed = vetoed_in_own_language(reply, terms)
    # A plain go-ahead is a yes when it is the whole reply, or when what was set aside beside it
    # was read by rules that know its language's words ("Ja gerne, aber bitte keine Anrufe");
    # a refusal, condition or limit word of any other language vetoes ("d'acord, però només la
    # meitat ara" leaves "d'acord" to read).
    if foreign_assent(text, terms) is not None and (
        reading.read_as is None or vetoed is None or vetoed in LEXICON_LANGUAGES
    ):
        return reading
    if vetoed is None and unread_part(clauses(text), terms) is None:
        return reading
    return reading.model_copy(
        update={"label": ConsentLabel.UNCLEAR, "vetoes": [*reading.vetoes, "unread"]}
    )


def with_foreign_assent(
    readings: list[ConsentReading], pairs: Sequence[tuple[str, ProposalTerms]]
) -> list[ConsentReading]:
    """A reading that is not a yes becomes one when every word of its text is a plain go-ahead
    in a language the head cannot read (`foreign_assent`): nothing in it could change a term."""
    out: list[ConsentReading] = []
    for reading, (text, terms) in zip(readings, pairs, strict=True):
        if not reading.executes and foreign_assent(text, terms) is not None:
            reading = reading.model_copy(update={"label": ConsentLabel.YES, "vetoes": []})
        out.append(reading)
    return out


# "go 'head", "go 'ed", "goahead": "go ahead" with its "a" elided (Southern US, Scouse, Cajun)
# or its space lost. The apostrophe is required: "go ed" may be "go, Ed".
_ELIDED_GO_AHEAD = re.compile(r"\bgo\s+['’](?:head|hed|ead|ed)\b|\bgoahead\b", re.IGNORECASE)


# Chat spellings with a digit in them ("gr8", "srry 4 the caps"): words, not numbers, so
# they are no stray count or amount. A digit before anything else is left a number.
_CHAT_DIGITS = {
    "gr8": "great", "l8r": "later", "b4": "before", "2day": "today", "2moro": "tomorrow",
    "2morrow": "tomorrow", "2mrw": "tomorrow", "m8": "mate", "w8": "wait", "sk8": "skate",
    "h8": "hate", "ne1": "anyone", "some1": "someone", "no1": "no one",
}  # fmt: skip
_CHAT_DIGIT_WORD = re.compile(r"\b(?:" + "|".join(_CHAT_DIGITS) + r")\b", re.IGNORECASE)
_FOUR_FOR = re.compile(r"\b4(?=\s+(?:the|my|ur|your|u|you|this|that|me|us)\b)", re.IGNORECASE)


def as_read(reply: str, terms: ProposalTerms) -> str:
    """The reply as the reader reads it: the signatory as "the signer", a limit that restates
    the proposal's own items dropped, elided and chat spellings written out."""
    return spelled_out(without_restated_limit(with_signer(reply, terms.signatory), terms))


def spelled_out(reply: str) -> str:
    """The reply with elided spellings of an explicit go, and chat spellings with digits in
    them, written out."""
    text = _ELIDED_GO_AHEAD.sub("go ahead", reply)
    text = _CHAT_DIGIT_WORD.sub(lambda m: _CHAT_DIGITS[m.group(0).lower()], text)
    return _FOUR_FOR.sub("for", text)


def read_scoped(
    readings: list[ConsentReading],
    pairs: Sequence[tuple[str, ProposalTerms]],
    read_parts: Callable[[Sequence[tuple[str, ProposalTerms]]], list[ConsentReading]],
    judged_aside: AsideJudgement | None = None,
) -> list[ConsentReading]:
    """A reply the whole-reply reading did not take as a yes is read again without the clauses
    that are about something else (`consent_scope`): the same cues and head decide on what is
    left, and only their yes replaces the first reading. Setting aside never removes a yes."""
    redo: list[int] = []
    parts: list[tuple[str, ProposalTerms]] = []
    for i, (reading, (reply, terms)) in enumerate(zip(readings, pairs, strict=True)):
        if reading.executes:
            continue
        for part in second_readings(reply, terms, judged_aside):
            redo.append(i)
            parts.append((part, terms))
    if not parts:
        return readings
    out = list(readings)
    for i, (part, _), second in zip(redo, parts, read_parts(parts), strict=True):
        if second.executes and not out[i].executes:
            out[i] = second.model_copy(update={"read_as": part})
    return out


def second_readings(
    reply: str, terms: ProposalTerms, judged_aside: AsideJudgement | None = None
) -> list[str]:
    """What else may carry the consent: the reply without its asides, and the answer after a
    story that only tells (itself without asides)."""
    # The rules' reading, then the one with the model's asides too: each may carry the yes (the
    # model's removes more, which can also remove the thanks a yes was read on).
    judges = (None,) if judged_aside is None else (None, judged_aside)
    found: list[str] = []
    answer = story_answer(reply)
    for judge in judges:
        for part in (
            consent_part(reply, terms, judge),
            None if answer is None else consent_part(answer, terms, judge) or answer,
        ):
            if part is not None and part not in found:
                found.append(part)
    # The answer read alone, when every other clause only gives context.
    for text in (reply, answer):
        part = None if text is None else answer_in_context(text, terms)
        if part is not None and part not in found:
            found.append(part)
    return found


def aside_candidates(reply: str) -> list[str]:
    """The clauses `consent_part` will weigh, of the reply and of its story answer."""
    texts = [reply]
    answer = story_answer(reply)
    if answer is not None:
        texts.append(answer)
    return [clause for text in texts for clause in clauses(without_courtesy_idioms(text))]


_shared: ConsentReader | None = None
_shared_lock = threading.Lock()


def shared_reader() -> ConsentReader:
    """One reader per process (the encoder is the shared one)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ConsentReader()
        return _shared
