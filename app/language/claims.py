"""Every claim a customer reads is supported by this turn's facts, sentence by sentence.

Free model text reaches a customer only if each of its sentences passes `check_sentence`
against the facts this turn read (`TurnFacts`). A sentence is cut into clauses; in each one the
checker finds the claims it makes and asks the facts about every one:

- identifiers (ORD-, AWB-, SKU-, REF-, RET-, TCK-) exist in the facts;
- shipment states, paraphrases included ("on its way", "went missing", "has arrived"), hold
  for every shipment the sentence speaks about (the ones it names, else the turn's focus);
  negated states ("it has not been delivered yet") must be false for them; a state under
  "will / should / expected" is an expected arrival, true only while the shipment moves;
- dates and times, absolute and relative ("yesterday", "on Monday", "March 3", "by 6pm"),
  resolved against the facts' now in the customer's zone, match the timestamp the claim is
  about (delivered_at for a delivery, the ETA for an arrival, the timeline otherwise);
- carriers, the signatory ("signed for by", "left at"), amounts with their currency;
- refund / return / ticket statuses ("your refund was approved") match an entity in the facts;
- actions the agent claims ("I've started a refund", "I've escalated", "you'll get an email")
  are supported only by a write of that kind in this turn's facts.

Conditions, questions and offers assert nothing ("If it hasn't arrived by then, tell me", "I can
start a refund request"). What the checker cannot read fails closed: digits it cannot explain,
a capitalised name the facts do not contain, an event word it has no fact for ("damaged",
"customs"), echoed JSON, and any word left over once every claim it can read is taken out that
is neither in a small neutral vocabulary (grammar, courtesy, hedges) nor in the facts' own text:
"it landed on your doorstep" is not read as a delivery, so it is not released either.

Words are not the whole hole: a claim made only of everyday words ("It's with you.", "no
delivery yet") has nothing for a word list to catch. Every asserting clause the grammar read no
claim in, and every clause with unread words, is placed among claim types by the shared MiniLM
encoder (claim_meaning.py), and code decides: a sure claim type is checked against the facts
like any other claim; "no claim" is believed only with a wide margin; a negation the grammar did
not read, and anything unsure, fails closed. Unread words are released only for a sure, true
shipment state. Regular expressions first, the encoder only on clauses they cannot settle
(~10 ms a clause on this CPU, cached by text): it runs on every streamed sentence.

A sentence that fails gets two more readings, each checked in full from the start and released
only if that reading passes: its misspelt claim words corrected ("parcle" -> "parcel"; never a
real English word) and, for another language, its listed phrases glossed into English
(claim_gloss.py). Neither reading can pass what the English grammar would not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from app.language import claim_lexicon as lex
from app.language import claim_meaning
from app.language.claim_dates import (
    MONTHS,
    VAGUE_SOON,
    WEEKDAYS,
    DateClaim,
    TimeClaim,
    find_dates,
    find_times,
)
from app.language.claim_facts import ShipmentFact, TurnFacts, local
from app.language.claim_gloss import gloss_claim
from app.language.claim_places import check_places
from app.language.english_words import is_english
from app.language.mentions import CURRENCY_SIGNS, CURRENCY_WORDS

_ID = re.compile(r"\b(?:ORD|AWB|SKU|REF|RET|TCK|NTF|CUS)-[A-Z0-9]+(?:-[A-Z])?\b", re.IGNORECASE)
_PHOTO_REF = re.compile(r"\bpod://\S+?(?=[\s,;)]|\.(?:\s|$)|$)")
# A small model sometimes echoes the tool's JSON back: every value in it is "supported", but it
# is not an answer a customer should read. Structured text fails like a wrong fact.
_STRUCTURED = re.compile(r'[{}\[\]]|":|\b[a-z]+_[a-z_]+\b')
_AMOUNT = re.compile(
    r"(?P<sym>[$£€])\s?(?P<a>\d[\d,]*(?:\.\d{1,2})?)"
    r"|(?P<b>\d[\d,]*(?:\.\d{1,2})?)\s?(?P<code>usd|gbp|eur|dollars?|pounds?|euros?|bucks|quid)\b"
    r"|\b(?P<code2>usd|gbp|eur)\s?(?P<c>\d[\d,]*(?:\.\d{1,2})?)",
    re.IGNORECASE,
)
_CURRENCY = {**CURRENCY_SIGNS, **CURRENCY_WORDS}
# Where a signatory's name ends: punctuation, or a word that starts the next part of the clause.
_END_OF_WHO = (
    r"(?=$|[,.;!?)]| (?:on|at|yesterday|today|this|last|and|but|so|which|who|when|around|about|"
    r"for|btw|tbh|now|yet)\b)"
)
_SIGNATORY = (
    re.compile(
        r"\bsigned (?:for )?by (?P<who>[a-z' ]+?)(?=$|[,.;!?)]| (?:on|at|yesterday|today|this|"
        r"last|and|but|so|which|who|when|around|about|just|btw|tbh|lol|now|already|too|yet)\b)"
    ),
    re.compile(
        r"\b(?:left|leaves?|dropped(?: off)?|delivered|placed|put) (?:it |them )?"
        r"(?P<prep>at|in|with|outside|on|by|to) (?P<who>(?:the|your|a|an|our) [a-z' ]+?)"
        + _END_OF_WHO
    ),
    re.compile(
        r"\b(?:handed|given|received|collected|accepted|taken in) (?:it )?(?:over )?(?:to|by) "
        r"(?P<who>[a-z' ]+?)" + _END_OF_WHO
    ),
    re.compile(r"\b(?P<who>[a-z' ]+?) signed for (?:it|the parcel|the package|your)"),
    re.compile(
        r"\b(?P<who>(?:the|your|a|an) [a-z' ]+?) (?:took|taken|accepted) (?:it|the parcel)"
        r"(?: in)?"
    ),
)
# The patterns that say who signed ("signed for by", "X signed for it"), and the platform's
# words for the customer as signatory.
_SIGNED_PATTERNS = frozenset({0, 3})
_THE_CUSTOMER = frozenset({"customer", "recipient", "addressee", "you"})
# Where the customer lives is a place, not someone who signed.
_GENERIC_PLACES = frozenset("address home house place flat apartment destination".split())
_DETERMINERS = frozenset("the your a an our my their at in with by to outside on it".split())
_SYNONYMS = {"neighbor": "neighbour", "neighbors": "neighbour", "neighbours": "neighbour"}
_CLAUSE_BREAK = re.compile(
    r"[,;:()]|\s[-—–]\s|—|–|(?<!ahead )\b(?:but|although|though|however|whereas|while|so|"
    r"and|because|since|which|whereupon|then)\b"
)
_HEADING_WORDS = 4


def _heading(text: str) -> bool:
    """A few words that only label what follows: no condition, offer, courtesy or verb of their
    own that would change how the clause after them is read ("Please note:", "Sorry:")."""
    if not text.strip() or len(text.split()) > _HEADING_WORDS:
        return False
    return not (
        lex.HYPOTHETICAL.match(text)
        or lex.OFFER.search(text)
        or _CONDITIONED.search(text)
        or _COURTESY.search(text)
        or lex.NEGATION.search(text)
        or re.search(r"\b(?:accept|note|apologi[sz]e|sorry)\b", text)
    )


_NUMBER = re.compile(r"\d+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


@dataclass
class SentenceCheck:
    """What one sentence claims, and which of its claims the facts do not support."""

    sentence: str
    claims: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return not self.unsupported

    def claim(self, kind: str, detail: str, ok: bool) -> None:
        self.claims.append(f"{kind}: {detail}")
        if not ok:
            self.unsupported.append(f"{kind}: {detail}")


class _Masked:
    """The lowercased sentence, with what has been read blanked out (offsets preserved)."""

    def __init__(self, text: str) -> None:
        self.text = text.replace("’", "'").lower()
        self.original = self.text

    def blank(self, start: int, end: int) -> None:
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]


def check_sentence(sentence: str, facts: TurnFacts) -> SentenceCheck:
    check = _check(sentence, facts)
    if check.supported:
        return check
    # Misspelt claim words, or a sentence in another language: the sentence with them corrected
    # or glossed into English is checked in full, and passes only as that sentence would;
    # otherwise the original verdict stands.
    for reading in (_corrected(sentence, check), gloss_claim(sentence)):
        if reading == sentence:
            continue
        second = _check(reading, facts)
        if second.supported:
            second.sentence = sentence
            second.claims.append(f"read as: {reading}")
            return second
    return check


def _corrected(sentence: str, check: SentenceCheck) -> str:
    unread = {u.split(": ", 1)[1] for u in check.unsupported if u.startswith("unread: ")}
    out = sentence
    for word in unread:
        target = _typo_target(word)
        if target:
            out = re.sub(rf"(?i)\b{re.escape(word)}\b", target, out)
    return out


def _typo_target(word: str) -> str | None:
    if len(word) < 5 or is_english(word):
        return None  # "slipped" is a word of its own, not a misspelt "shipped"
    near = [t for t in lex.TYPO_TARGETS if abs(len(t) - len(word)) <= 1 and _one_edit(word, t)]
    return near[0] if len(near) == 1 else None


def _one_edit(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours turns `a` into `b`."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1 :]


def _check(sentence: str, facts: TurnFacts) -> SentenceCheck:
    check = SentenceCheck(sentence)
    if _STRUCTURED.search(sentence):
        check.claim("structured", sentence.strip()[:40], False)
        return check
    masked = _Masked(sentence)
    named = _ids(sentence, facts, check, masked)
    scope = facts.in_scope(named)
    _amounts(masked, facts, check)
    _carriers(masked, scope, facts, check)
    _signatories(masked, scope, check)
    _quoted_events(masked, scope)
    today = local(facts.now, facts.timezone).date()
    dates = find_dates(masked.text, today)
    times = find_times(masked.text)
    for claim in [*dates, *times]:
        masked.blank(claim.start, claim.end)
    for number in _NUMBER.finditer(masked.text):
        ok = _whole_token(number.group(0), facts.text)
        check.claim("number", number.group(0), ok)
        masked.blank(*number.span())
    question = bool(lex.QUESTION.search(sentence))
    # Clauses that assert: whether a claim was read in one, and whether a negated one was.
    asserted: list[tuple[int, int, bool, bool]] = []
    for start, end in _clauses(masked.text):
        text = masked.text[start:end]
        clause = _Clause(
            masked, start, end, question or bool(lex.HYPOTHETICAL.match(text)), question
        )
        before = len(check.claims)
        roles = _clause_claims(clause, scope, named, facts, check)
        _dates_in_clause(clause, dates, times, roles, scope, facts, today, check)
        # An offer, a question or a condition asserts nothing: its other words are not claims.
        conditioned = _conditioned(masked.original[start:end].lower(), masked.original[:start])
        if clause.hypothetical or conditioned or lex.OFFER.search(text):
            clause.blank(0, end - start)
        else:
            # Read: the grammar took a claim (or a quoted platform event) out of this clause.
            read = len(check.claims) > before or _blanked(masked, start, end)
            negated_read = any(": not " in c for c in check.claims[before:])
            asserted.append((start, end, read, negated_read))
    _unmodelled_words(masked, facts, check)
    for start, end, read, negated_read in asserted:
        _residue(masked, start, end, read, negated_read, scope, facts, check)
    _unknown_names(sentence, facts, check)
    check_places(sentence, scope, facts, check.claim)
    return check


# ------------------------------------------------------------------ values


def _ids(sentence: str, facts: TurnFacts, check: SentenceCheck, masked: _Masked) -> list[str]:
    named: list[str] = []
    for m in _ID.finditer(sentence):
        token = m.group(0).upper()
        check.claim("id", token, token in facts.ids)
        named.append(token)
        masked.blank(*m.span())
    for m in _PHOTO_REF.finditer(sentence):
        check.claim("photo", m.group(0), m.group(0) in facts.text)
        masked.blank(*m.span())
    return named


_TOTAL_BEFORE = re.compile(
    r"\b(?:total\w*|came to|altogether|in all|whole order|order cost)\b[^.!?]*$", re.IGNORECASE
)


# "the refundable amount is", "can still be refunded": what the order has left to refund.
_REFUNDABLE_BEFORE = re.compile(
    r"\b(?:refundable|left to refund|still be refunded|can be refunded|remaining)\b[^.!?]*$",
    re.IGNORECASE,
)


def _amounts(masked: _Masked, facts: TurnFacts, check: SentenceCheck) -> None:
    for m in _AMOUNT.finditer(masked.text):
        g = m.groupdict()
        raw = (g["a"] or g["b"] or g["c"] or "").replace(",", "")
        code = _CURRENCY.get((g["sym"] or g["code"] or g["code2"] or "").lower(), "")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            continue
        # "Your order total was €1,703.90" said of a line's price: a total is the order's.
        before = masked.original[max(0, m.start() - 40) : m.start()]
        known = facts.amounts
        if _TOTAL_BEFORE.search(before) and facts.totals:
            known = facts.totals
        elif _REFUNDABLE_BEFORE.search(before) and facts.refundables:
            known = facts.refundables

        ok = any(value == amount and code == currency for amount, currency in known)
        check.claim("amount", m.group(0).strip(), ok)
        masked.blank(*m.span())


def _carriers(
    masked: _Masked, scope: list[ShipmentFact], facts: TurnFacts, check: SentenceCheck
) -> None:
    known = {s.carrier.lower() for s in scope if s.carrier}
    for m in lex.CARRIER_PATTERN.finditer(masked.text):
        name = m.group(0)
        check.claim("carrier", name, name in known)
        # Kept as a word-shaped placeholder, so "through the DHL network" still reads as a phrase.
        masked.text = masked.text[: m.start()] + "_" * len(name) + masked.text[m.end() :]
    # "it ships via UPS": the verb only says which carrier, and the carrier was read.
    for m in _SHIPS_VIA.finditer(masked.text):
        masked.blank(m.start(), m.start("via"))


_SHIPS_VIA = re.compile(r"\b(?:ships|shipping)\s+(?P<via>via|with|through)\s+_+")


def _signatories(masked: _Masked, scope: list[ShipmentFact], check: SentenceCheck) -> None:
    for index, pattern in enumerate(_SIGNATORY):
        for m in pattern.finditer(masked.text):
            who = _content_words(m.group("who"))
            if who and who <= {"you", "yourself"} and index in _SIGNED_PATTERNS:
                # "You signed for it yourself": the platform records the customer as signatory.
                signed = [_content_words(s.signed_by) for s in scope if s.signed_by]
                ok = bool(signed) and all(words & _THE_CUSTOMER for words in signed)
                check.claim("signatory", "you", ok)
                masked.blank(*m.span())
                continue
            if not who or who <= {"you", "yourself", "carrier", "courier"} | _GENERIC_PLACES:
                continue  # "handed to you": a delivery claim, checked as a state
            signed = [_content_words(s.signed_by) for s in scope if s.signed_by]
            ok = any(who <= words for words in signed)
            check.claim("signatory", " ".join(sorted(who)), ok)
            masked.blank(*m.span())


def _quoted_events(masked: _Masked, scope: list[ShipmentFact]) -> None:
    """The platform's own event wording, quoted, is true of that shipment ("Latest update:
    Arrived at sorting facility"): it is not read again as a state claim. Its date still is."""
    for text in sorted({t.lower() for s in scope for t in s.event_texts}, key=len, reverse=True):
        if len(text.split()) < 3:
            continue  # a one-word event ("Delivered") is a claim like any other
        for m in re.finditer(re.escape(text), masked.text):
            if not _negated(masked.text[: m.start()]):
                masked.blank(*m.span())


def _content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return {_SYNONYMS.get(w, w) for w in words if w not in _DETERMINERS}


def _whole_token(token: str, text: str) -> bool:
    edge = "0-9" if token[0].isdigit() else "A-Za-z0-9"
    return re.search(rf"(?<![{edge}]){re.escape(token)}(?![{edge}])", text) is not None


# ------------------------------------------------------------------ clauses


@dataclass
class _Clause:
    masked: _Masked
    start: int
    end: int
    hypothetical: bool
    question: bool = False

    @property
    def text(self) -> str:
        return self.masked.text[self.start : self.end]

    def blank(self, start: int, end: int) -> None:
        self.masked.blank(self.start + start, self.start + end)


def _clauses(text: str) -> list[tuple[int, int]]:
    cuts = [0]
    for m in _CLAUSE_BREAK.finditer(text):
        # A short heading ("Estimated arrival: by Tuesday", "Courier on this one: DHL") labels
        # what follows it: the two are read as one clause, so the heading gives the date its role.
        if m.group(0) == ":" and _heading(text[cuts[-1] : m.start()]):
            continue
        cuts.extend((m.start(), m.end()))
    cuts.append(len(text))
    spans = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _negated(before: str) -> bool:
    # Negation binds to the few words right before the claim ("has not yet been delivered"),
    # never across an earlier claim in the clause (blanked: a run of spaces).
    window = " ".join(re.split(r"\s{3,}", before)[-1].split()[-5:])
    return bool(lex.NEGATION.search(window))


def _clause_claims(
    clause: _Clause,
    scope: list[ShipmentFact],
    named: list[str],
    facts: TurnFacts,
    check: SentenceCheck,
) -> set[str]:
    """Checks the clause's entity, action and state claims; returns the roles of its dates."""
    roles: set[str] = set()
    _actions(clause, facts, check)
    if _entities(clause, named, facts, check):
        roles.add("entity")
    for name, pattern, statuses in lex.STATES:
        for m in pattern.finditer(clause.text):
            clause.blank(*m.span())
            if clause.hypothetical:
                continue
            before = clause.text[: m.start()]
            state = name
            # "might have been delivered" is a hedged report, not an expected arrival.
            hedged_past = _HEDGED_PAST.search(before)
            if name == "delivered" and lex.FUTURE.search(before) and not hedged_past:
                state, statuses = "arriving", lex.ACTIVE
            negated = _negated(before)
            ok = bool(scope) and all((s.status in statuses) != negated for s in scope)
            check.claim("state", ("not " if negated else "") + state, ok)
            if negated:
                roles.add("negated")
            roles.add(_ROLE_OF_STATE.get(state, "events"))
    soon = VAGUE_SOON.search(clause.text)
    if soon and not clause.hypothetical:
        ok = bool(scope) and all(s.status in lex.ACTIVE for s in scope)
        check.claim("state", "arriving soon", ok)
    if soon:
        clause.blank(*soon.span())
    return roles


_HEDGED_PAST = re.compile(r"\b(?:might|may|could|must)(?: well)? have(?: already)?(?: been)?\W*$")

_ROLE_OF_STATE = {
    "delivered": "delivered",
    "not_delivered": "eta",
    "arriving": "eta",
    "out_for_delivery": "eta",
    "delayed": "eta",
    "on_time": "eta",
}


# "I can open a ticket": the status word is the verb of an offer, not a status of an entity.
_OFFERED_VERB = re.compile(
    r"\b(?:i|we)\s+(?:can|could|would be happy to|'d be happy to|am happy to|'m happy to)\s+$"
)


def _entities(clause: _Clause, named: list[str], facts: TurnFacts, check: SentenceCheck) -> bool:
    found = False
    for kind, noun in lex.ENTITY_NOUNS:
        mention = noun.search(clause.text)
        ids = [i for i in named if i.startswith({"refund": "REF", "return": "RET"}.get(kind, "T"))]
        if mention is None and not ids:
            continue
        found = True
        entities = facts.entities_of(kind, ids)
        said = False
        for pattern, statuses in lex.ENTITY_STATUS:
            for m in pattern.finditer(clause.text):
                clause.blank(*m.span())
                said = True
                if clause.hypothetical or _OFFERED_VERB.search(clause.text[: m.start()]):
                    continue
                negated = _negated(clause.text[: m.start()])
                ok = bool(entities) and all((e.status in statuses) != negated for e in entities)
                check.claim(kind, ("not " if negated else "") + m.group(0), ok)
        definite = mention is not None and re.match(r"(?:your|the|this|that)\b", mention.group(0))
        if not said and not clause.hypothetical and (ids or definite):
            check.claim(kind, "exists", bool(entities))
        if mention is not None:
            clause.blank(*mention.span())
    return found


# A promise after a condition ("If it hasn't arrived by then, tell me and I'll pass it to a
# colleague") is an offer, not a claim that the action was done.
_CONDITIONED = re.compile(r"\b(?:if|unless|once|when|should you|tell me|let me know|just say)\b")
# A clause that reports what is or was so is no consequence of a condition before it: "If you'd
# like, I can open a ticket, which I've already done" asserts a ticket. Such a clause is
# checked (fail-closed: at worst a true one is rejected).
_REALIS = re.compile(
    r"\b(?:already|i've|i have|we've|we have|has been|have been|had been|did|done|was|were|"
    r"is now|are now|just now)\b"
)


def _conditioned(clause_text: str, before: str) -> bool:
    return bool(_CONDITIONED.search(before)) and not _REALIS.search(clause_text)


def _actions(clause: _Clause, facts: TurnFacts, check: SentenceCheck) -> None:
    text = clause.text
    conditioned = _conditioned(
        clause.masked.original[clause.start : clause.end].lower(),
        clause.masked.original[: clause.start],
    )
    for m in lex.FIRST_PERSON_ACTION.finditer(text):
        verb = m.group("verb")
        if not lex.ACTION_VERB.match(verb) or verb in {"sorry", "afraid", "happy", "able"}:
            continue
        if clause.hypothetical or conditioned or lex.OFFER_AUX.search(m.group("aux")):
            continue
        _action_claim(text[m.start("verb") :], facts, check, clause, m.span())
    for m in re.finditer(r"\blet me (?P<verb>[a-z]+)", text):
        if lex.ACTION_VERB.match(m.group("verb")) and m.group("verb") not in {"know"}:
            if not (clause.hypothetical or conditioned):
                _action_claim(text[m.start("verb") :], facts, check, clause, m.span())
    offered = clause.hypothetical or conditioned or bool(lex.OFFER.search(text))
    if offered or lex.FUTURE_WORD.search(text):
        # An offer asserts nothing done, but it may only hold out what the agent can do.
        for m in lex.BEYOND_OFFERS.finditer(text):
            if not lex.NEGATION.search(text[: m.start()]):
                check.claim("offer", m.group(0), False)
    if not offered:
        for m in lex.PROMISES.finditer(text):
            check.claim("unverifiable", m.group(0), _promise_in_facts(text, m, facts))
    # Every action reading is judged before any is blanked: "a return label has been emailed to
    # you" is a return as well as an email, and the email alone must not vouch for it.
    spans: list[tuple[int, int]] = []
    for kind, pattern in (*lex.DONE_FOR_YOU, *lex.BARE_ACTION):
        for m in pattern.finditer(clause.text):
            if not clause.hypothetical:
                ok = kind in facts.actions and _channel_ok(kind, text, facts)
                ok = ok and _refund_state_ok(kind, m.group(0), facts)
                check.claim("action", f"{kind} ({m.group(0)})", ok)
            spans.append(m.span())
    for span in spans:
        clause.blank(*span)


def _promise_in_facts(text: str, m: re.Match[str], facts: TurnFacts) -> bool:
    """A ticket's priority is a field ("priority": "normal"): "high-priority" needs that value."""
    fact_text = facts.text.lower()
    if m.group(0) != "priority":
        return m.group(0) in fact_text
    level = re.search(r"(\w+)[- ]$", text[: m.start()])
    if level is None:
        return '"priority"' in fact_text
    return f'"priority":"{level.group(1)}"' in fact_text.replace(" ", "")


def _action_claim(
    rest: str, facts: TurnFacts, check: SentenceCheck, clause: _Clause, span: tuple[int, int]
) -> None:
    # Every kind the phrase names must be done: "sent you an email confirmation of the ticket"
    # is an email as well as a ticket, and the ticket alone must not vouch for the email.
    kinds = [k for k, p in lex.ACTION_OBJECT if p.search(rest)] or ["other"]
    for kind in kinds:
        ok = kind in facts.actions and _channel_ok(kind, rest, facts)
        ok = ok and _refund_state_ok(kind, rest, facts)
        check.claim("action", f"{kind} ({rest.split(',')[0][:40].strip()})", ok)
    # The whole action phrase was judged as one claim ("escalated it to our support team"); what
    # it promises beyond the action ("as a high-priority case") `_actions` judged on the clause.
    clause.blank(span[0], clause.end - clause.start)


# Words that say the money has gone, not only that a refund was asked for: a pending refund
# was started, but it is not "done" or "on its way".
_REFUND_COMPLETED = re.compile(
    r"\b(?:done|processed|issued|paid|credited|completed|settled|on (?:its|the) way|sent|"
    r"gone through|went through|approved|back)\b"
)


def _refund_state_ok(kind: str, text: str, facts: TurnFacts) -> bool:
    if kind != "refund" or not _REFUND_COMPLETED.search(text):
        return True
    refunds = facts.entities_of("refund", [])
    return bool(refunds) and all(e.status == "approved" for e in refunds)


def _channel_ok(kind: str, text: str, facts: TurnFacts) -> bool:
    if kind != "notify":
        return True
    said = {c for c, p in lex.CHANNEL_WORDS.items() if p.search(text)}
    return said <= facts.channels


# ------------------------------------------------------------------ dates in their clause


def _role_times(role: str, scope: list[ShipmentFact], facts: TurnFacts) -> list[datetime]:
    out: list[datetime] = []
    for s in scope:
        if role in ("delivered", "any"):
            out += [t for t in (s.delivered_at, s.photo_taken_at) if t]
            out += [t for t, st in s.events if st.value == "delivered"]
        if role in ("eta", "any") and s.eta:
            out.append(s.eta)
        if role in ("events", "any"):
            out += [t for t, _ in s.events]
            placed = facts.orders.get(s.order_id or "")
            out += [placed] if placed else []
    if role in ("entity", "any"):
        out += [e.created_at for e in facts.entities if e.created_at]
    if role == "any":
        out += [t for t in facts.orders.values() if t]
    return out


_UTC_WORD = re.compile(r"\b(?:utc|gmt|z)\b")


def _dates_in_clause(
    clause: _Clause,
    dates: Sequence[DateClaim],
    times: Sequence[TimeClaim],
    roles: set[str],
    scope: list[ShipmentFact],
    facts: TurnFacts,
    today: date,
    check: SentenceCheck,
) -> None:
    day_claims = [c for c in dates if clause.start <= c.start < clause.end]
    time_claims = [c for c in times if clause.start <= c.start < clause.end]
    inside = [*day_claims, *time_claims]
    if (
        not inside
        or clause.question
        or lex.OFFER.search(clause.masked.original[clause.start : clause.end])
    ):
        return  # "anything else I can help you with today?" dates nothing
    negated = "negated" in roles
    if not roles - {"negated"} and lex.FUTURE_WORD.search(clause.text):
        roles = roles | {"eta"}  # "You should have it on Friday": a date still to come
    elif not roles - {"negated"} and re.search(
        r"\bdeliver", clause.masked.original[clause.start : clause.end]
    ):
        roles = roles | {"delivered", "eta"}  # "delivery on Friday": that delivery's date
    wanted = sorted(roles - {"negated"}) or ["any"]
    if clause.hypothetical:
        wanted = ["any"]
    moments = [t for role in wanted for t in _role_times(role, scope, facts)]
    if not moments and "any" not in wanted:
        moments = _role_times("any", facts.in_scope([]), facts)
    zoned = [local(t, facts.timezone) for t in moments]
    readings = zoned + [local(t, UTC) for t in moments]
    # A time of day is the customer's own unless the clause names UTC: "this evening" said of
    # 20:00 UTC is wrong for a customer in New York, where it is 15:00. (A date may still be
    # read in UTC: a model copies the timestamp's day.)
    said = clause.masked.original[clause.start : clause.end]
    clock = readings if _UTC_WORD.search(said) else zoned
    fitting = [r for r in clock if all(c.accepts(r.date(), today) for c in day_claims)]
    for c in day_claims:
        ok = any(c.accepts(r.date(), today) for r in readings)
        check.claim("date", c.text.strip(), ok != negated if not clause.hypothetical else ok)
    for c in time_claims:
        ok = any(c.accepts(r) for r in (fitting if day_claims else clock))
        check.claim("time", c.text.strip(), ok != negated if not clause.hypothetical else ok)


# ------------------------------------------------------------------ what the checker cannot read


def _blanked(masked: _Masked, start: int, end: int) -> bool:
    before, after = masked.original[start:end], masked.text[start:end]
    return any(a != b and a in " _" for a, b in zip(after, before, strict=True))


def _unmodelled_words(masked: _Masked, facts: TurnFacts, check: SentenceCheck) -> None:
    """Event words the checker has no fact type for fail closed, whatever a clause means."""
    fact_text = facts.text.lower()
    for m in lex.UNMODELLED.finditer(masked.text):
        word = m.group(0)
        check.claim("unverifiable", word, word in fact_text)
        masked.blank(*m.span())


# Courtesy formulas, negated or not ("don't worry", "rest assured", "sorry for this"): they
# claim nothing about the parcel, and a short one is too little text to read a meaning in.
_COURTESY = re.compile(
    r"\b(?:(?:don't|do not|dont) (?:worry|hesitate|panic)|no (?:worries|problem|rush|need to worry)"
    r"|not to worry|never mind|rest assured|good news|bad news|(?:un)?fortunately|luckily|sadly"
    r"|(?:(?:i'm|i am|we're|we are|so|very|really) )*(?:sorry|apologies|apologise|apologize)"
    r"(?: (?:for|about) (?:this|that|the \w+|any \w+))?"
    r"|thank(?:s| you)(?: (?:so|very) much)?(?: for (?:\w+ing|your \w+)(?: (?:with|to) (?:me|us)"
    r"|(?: \w+)?))?"
    # Hedges and framings around a claim: they weaken or place it, the claim is still read.
    r"|all being well|(?:i'm|i am) afraid|as we speak|as things stand|all in|in total|so far"
    r"|for now|as of now|atm|per the (?:tracking|carrier|courier)|fingers crossed"
    # Wishes for the customer's day are not about the parcel.
    r"|(?:i )?hope (?:you have|the rest of your) (?:a )?(?:\w+ )?(?:day|evening|weekend|week)"
    r"(?: goes well)?|have a (?:\w+ )?(?:day|evening|weekend|week))\b"
)


def _without_courtesy(text: str, original: str, start: int, end: int) -> str:
    """`text[start:end]` with courtesy formulas blanked, found in the whole sentence: a clause
    break inside one ("thanks so much for ...") does not hide it."""
    out = list(text[start:end])
    for m in _COURTESY.finditer(original):
        for i in range(max(m.start(), start), min(m.end(), end)):
            out[i - start] = " "
    return _COURTESY.sub(" ", "".join(out))


_NEGATION_CUES = frozenset("nothing sign signs indication evidence".split())


def _residue(
    masked: _Masked,
    start: int,
    end: int,
    read: bool,
    negated_read: bool,
    scope: list[ShipmentFact],
    facts: TurnFacts,
    check: SentenceCheck,
) -> None:
    """What is left of one asserting clause once every claim the grammar read is taken out.

    Words outside the neutral vocabulary and the facts are unread. A clause the grammar read no
    claim in may still make one in everyday words ("It's with you."), and a clause with unread
    words may make a true one in words the grammar never met: the clause's nearest claim type
    (claim_meaning) is then checked against the facts like any other claim. Unsure fails closed.
    """
    fact_text = facts.text.lower()
    residue = _without_courtesy(masked.text, masked.original, start, end)
    unread = [
        w
        for w in re.findall(r"[a-z]+", residue)
        if w not in lex.NEUTRAL_WORDS
        and not _whole_token(w, fact_text)
        # "Nothing suggests it's lost": the words of a negation the grammar read and checked.
        and not (negated_read and w in _NEGATION_CUES)
        and not (read and w in lex.QUALIFIER_WORDS)
    ]
    if read and not unread:
        return  # every word is a read claim or neutral
    original = masked.original[start:end]
    negated = bool(lex.NEGATION.search(residue))
    words = re.findall(r"[a-z']+", _without_courtesy(masked.original, masked.original, start, end))
    if not unread:
        if len(words) < 2:
            return  # a lone word ("Update:", "Carrier:") or a courtesy formula claims nothing
        quoted = [w for w in words if w not in lex.NEUTRAL_WORDS]
        if quoted and all(_whole_token(w, fact_text) for w in quoted):
            return  # the facts' own words ("Newark NJ hub"): a place the facts name
    meaning = claim_meaning.meaning_of(original)
    if unread:
        # Unread words are rescued only by a sure reading of a shipment state that the facts
        # support (an action's channel, amount or refund state is beyond what a meaning says).
        if meaning.kind == claim_meaning.NO_CLAIM and not negated and not read:
            return
        if (
            claim_meaning.rescues(meaning)
            and not negated
            and _meaning_holds(meaning.kind, scope, facts)
        ):
            check.claims.append(f"meaning: {meaning.kind} ({' '.join(unread)})")
            return
        for word in unread:
            check.claim("unread", word, False)
        return
    # Only everyday words, and no claim read: the clause's meaning decides.
    if meaning.kind == claim_meaning.NO_CLAIM:
        return
    if negated:
        check.claim("negated, unread", original.strip()[:40], False)
    elif meaning.is_claim:
        ok = _meaning_holds(meaning.kind, scope, facts)
        check.claim("meaning", f"{meaning.kind} ({original.strip()[:40]})", ok)
    else:
        # Unsure: a clause not surely "no claim" may be one; it is released only when every
        # type it is near (nearest and runner-up) holds.
        ok = _meaning_holds(meaning.nearest, scope, facts) and _meaning_holds(
            meaning.runner_up, scope, facts
        )
        check.claim("unsure", f"{meaning.nearest}? ({original.strip()[:40]})", ok)


def _meaning_holds(kind: str, scope: list[ShipmentFact], facts: TurnFacts) -> bool:
    if kind == claim_meaning.NO_CLAIM:
        return True
    if kind in claim_meaning.STATE_TYPES:
        statuses = claim_meaning.STATE_TYPES[kind]
        return bool(scope) and all(s.status in statuses for s in scope)
    if kind == "refund":
        return "refund" in facts.actions and _refund_state_ok("refund", "done", facts)
    return kind in facts.actions  # "other_action" is never a write kind


def _unknown_names(sentence: str, facts: TurnFacts, check: SentenceCheck) -> None:
    fact_text = facts.text.lower()
    known_names = set(WEEKDAYS) | set(MONTHS) | {m[:3] for m in MONTHS} | {d[:3] for d in WEEKDAYS}
    words = list(_WORD.finditer(sentence))
    for i, m in enumerate(words):
        word = m.group(0).replace("’", "'")
        if not word[0].isupper() or i == 0 or _after_sentence_start(sentence, m.start()):
            continue
        low = word.lower()
        if low in lex.ALLOWED_NAMES or low.rstrip("'s") in known_names or low in known_names:
            continue
        if lex.CARRIER_PATTERN.fullmatch(low) or low in {"royal", "mail", "post", "express"}:
            continue
        if low.split("'")[0] in fact_text:
            continue
        check.claim("name", word, False)


def _after_sentence_start(sentence: str, at: int) -> bool:
    before = sentence[:at].rstrip()
    return not before or before[-1] in '.!?:"“(\n-—–*>'


# ------------------------------------------------------------------ streaming


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


class SentenceGate:
    """Buffers streamed text and releases whole sentences whose claims the facts support."""

    def __init__(self, facts: TurnFacts) -> None:
        self._facts = facts
        self._pending = ""
        self.rejected: str | None = None
        self.rejection: SentenceCheck | None = None

    def feed(self, text: str) -> list[str]:
        if self.rejected is not None:
            return []
        self._pending += text
        parts = _SENTENCE_END.split(self._pending)
        self._pending = parts.pop()
        # Re-attach the separator the split consumed, so released text concatenates cleanly.
        return self._release([p + " " for p in parts if p.strip()])

    def finish(self) -> list[str]:
        rest, self._pending = self._pending, ""
        return self._release([rest] if rest.strip() else [])

    def _release(self, sentences: list[str]) -> list[str]:
        out: list[str] = []
        for sentence in sentences:
            if self.rejected is not None:
                break
            verdict = check_sentence(sentence, self._facts)
            if not verdict.supported:
                self.rejected, self.rejection = sentence, verdict
                break
            out.append(sentence)
        return out
