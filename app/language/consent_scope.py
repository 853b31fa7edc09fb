"""What a negation, "but" or filler in a reply to a proposal is about: the consent, or an aside.

"yes go ahead, but don't call me" consents: its negation is about being called. "yes but don't
refund it" does not: its negation is about the proposal. The whole-reply cues cannot tell the
two apart, so a reply that they veto is cut into clauses, and a clause is set aside only when
its scope is provably outside the proposal:

- a negation bound to a word of contact or courtesy ("no need to *call* me", "no *rush*",
  "keine *Anrufe*", "pas besoin de m'*appeler*"), in a clause naming nothing of the proposal;
- a past-tense story ("the driver *didn't knock*", "I *wasn't* home that day") that names no
  outcome, amount, item or consent verb;
- leading filler ("um", "erm", "hmm") before the answer, and laughter beside an explicit,
  whole yes ("lol yes do it"; never "lol ok" or "haha sure").

What is left is read again by the same cues and trained head (`consent.ConsentReader`); only
that reading can make a yes, so every veto still holds on the words that carry the consent.
Setting aside only ever removes clauses that raise no question, sarcasm, hedge or term veto of
their own: a bare "no", "not today", "don't bother", "no thanks" or any clause naming a term,
"it", "that" or a consent verb always stays.

Hand-written rules rather than a parser: spaCy's dependency parse is not in this environment,
and the rules here are small enough to read in review; the trained head still decides the yes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from app.language import consent_lexicon as other_languages
from app.language.consent_asides import explicit_yes
from app.language.consent_cues import ASSENT_SIGNS, Veto, is_assent_word, read_cues
from app.language.consent_terms import ProposalTerms
from app.language.contact_preferences import declined_channels
from app.language.english_words import is_english
from app.language.foreign_assent import foreign_veto_words
from app.language.mentions import _IDS, _MONEY, normalise
from app.language.readable import unread_part

# Whether a clause of a reply to these terms was judged an aside by the trained model.
AsideJudgement = Callable[[str, ProposalTerms], bool]

# Where one clause ends and another begins: punctuation (kept with the clause before it, so a
# "?" or a trailing "..." still reads), and connectives that open a new clause.
# A ".", "," or ":" between digits is inside a number or a time ("$34.99", "1,200", "10:07"),
# not a break.
_BREAKS = re.compile(r"((?:[.,:](?!\d)|(?<!\d)[.,:]|[!?;\n…]|\s[-–—]+)[.!?;:,\n…]*\s*)")
_CONNECTIVES = frozenset(
    "but though although however btw tho and aber und pero mais ma maar".split()
)
NEGATORS = frozenset(
    "no not never don't dont doesn't doesnt won't wont no-one nobody nothing none "
    "without kein keine keinen keiner nicht nie pas ne non nada ni nunca nao niet "
    "geen nie".split()
)
# Words that may stand between a negator and what it negates ("no *need to* call me").
_NEGATION_BRIDGE = frozenset(
    "need needed necessary needs to for any more a an the me us my of please further really "
    "other worry about bother with forget be send sending get receive forward de besoin hay "
    "me mi non serve bitte te le la los las".split()
)
# What an aside is about: being contacted, or courtesy. Negated, these say nothing of consent.
ASIDE_TOPICS = frozenset(
    # contact and paperwork
    "call calls calling ring phone phoned phoning text texts texting sms email emails e-mail "
    "emailing message messages messaging contact contacting survey surveys "
    "feedback review newsletter newsletters marketing receipt receipts notification "
    "notifications ticket spam questions "
    # courtesy
    "rush hurry apologise apologize apology apologies feelings fuss harm fault blame "
    # other languages: calls, mail, hurry
    "llamen llamar llamada llamadas llames telefono correo correos prisa "
    "anruf anrufe anrufen email-bestatigung eile "
    "appeler m'appeler rappeler m'ecrire presse "
    "chiamare chiamarmi chiamata fretta "
    "bellen haast ligar pressa dzwonic".split()
)
# Negated idioms that mean "thank you" or "honestly", not "no".
_COURTESY_IDIOMS = (
    "can't thank you enough",
    "cant thank you enough",
    "not going to lie",
    "not gonna lie",
    "no hard feelings",
    "not a big deal",
    "no big deal",
    "no harm done",
    "not your fault",
    # Courtesy about the bother, whole: "if it's no trouble at all".
    "if it's no trouble at all",
    "if it is no trouble at all",
    "if it's no trouble",
    "if it is no trouble",
    "if it's not too much bother",
    "if it's not too much trouble",
    "if it's not too much to ask",
    # South African "ja no" / "ja nee" is a yes.
    "ja no",
    "ja nee",
    # Candour markers: "although I must say" opens a remark, it sets no condition.
    "although i must say",
    "though i must say",
    "i must say",
    "i have to say",
    "i gotta say",
    "to be fair",
    "to be honest",
    # Consent given whole: "you may proceed, without qualification".
    "without qualification",
    "without reservation",
    "without any reservation",
    "without hesitation",
    # Praise of the agent beside a yes: "yes 🙏 you're a lifesaver".
    "you're a lifesaver",
    "you are a lifesaver",
    "you're a star",
    "you are a star",
    "you're a legend",
    "you're an angel",
    "you're the best",
    "you are the best",
    # Resignation, not a question ("ok go ahead, what to do"); with a "?" the "?" still reads.
    "what to do",
    "what can we do",
    "what can i do",
    "what else can i do",
)
# Words that put a clause inside the proposal: its outcome, money, items, timing, or consent.
TERM_WORDS = frozenset(
    "refund refunds refunded refunding return returns returning money cash amount price cost "
    "pay paid payment card paypal account bank credit order item items parcel package box "
    "courier label pickup collect collection drop today tomorrow now yet later until week "
    "weeks day days month all half full part only instead replacement replace exchange keep "
    "voucher new do doing done proceed go going process processing start continue agree "
    "agreed accept approve confirm want wanted cancel stop change mind sure right ok okay "
    "yes correct it that this them these those take".split()
)
# In a story the parcel, box and courier are what happened, not what the proposal will do.
_STORY_TERM_WORDS = frozenset(
    "refund refunds refunded return returns money cash amount price pay paid payment card "
    "order ordered item items replacement replace exchange keep voucher do proceed agree "
    "agreed accept approve confirm want wanted asked ask said say mean meant think thought "
    "expect expected believe cancel change mind sure right ok okay yes correct decide decided "
    "check checked read know knew understand understood realise realised realize realized "
    "talk talked discuss discussed consult consulted yet still asking requesting requested "
    "wanting expecting meaning saying thinking hoping planning planned intended".split()
)
# After a contrast ("but to my paypal"), the words that make it a change to the terms: a story's
# terms, and where the money or the goods go, how much, and which.
_CONTRAST_TERM_WORDS = _STORY_TERM_WORDS | frozenset(
    "paypal account bank credit wallet card transfer iban address office home work instead "
    "rather only just half full part partial all both send sent ship label courier pickup "
    "collect collection tarjeta cuenta karte konto carte compte conto".split()
)
# Simple past only: "I haven't decided" is about now, "the driver didn't knock" is a story.
_PAST_NEGATORS = frozenset("didn't didnt wasn't wasnt weren't werent hadn't hadnt".split())
_PAST_AFTER_NEVER = re.compile(r"\bnever\s+(?:had|was|were|got|came|showed|turned|[a-z]+ed)\b")
# "oh" and "well" are not filler: "oh sure" and "well, no" carry what follows.
FILLERS = frozenset("um umm ummm uh uhh uhm er erm hmm hm hmmm".split())
LAUGHTER = frozenset("lol lmao haha hahaha hehe lolol".split())
LAUGHTER_MARKS = ("😂", "🤣", "😆")
# A yes that laughter may sit beside: an explicit yes and an explicit go.
_STRONG_YES = frozenset("yes yess yesss yeah yep yup yas".split())
_GO_WORDS = ("please", "pls", "plz", "do it", "go ahead", "go for it", "proceed")

_WORDS = re.compile(r"[a-z]+(?:['-][a-z]+)*")


def clauses(reply: str) -> list[str]:
    """The reply cut after punctuation and before the connectives that open a new clause; each
    clause keeps its own punctuation."""
    parts = _BREAKS.split(normalise(reply))
    # re.split with a group alternates text and delimiter: glue each delimiter to its text.
    pieces = [
        parts[i] + (parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2)
    ]
    out: list[str] = []
    for piece in pieces:
        current: list[str] = []
        for token in piece.split():
            if current and token.lower() in _CONNECTIVES:
                out.append(" ".join(current))
                current = []
            current.append(token)
        if current:
            out.append(" ".join(current))
    return [c for part in out for c in _cut_at_answers(part) if c.strip(" ,.;:-–—")]


# An explicit answer inside a long unpunctuated run, as dictated or typed in one breath: "yes go
# ahead the driver didn't even come to the door".
_ANSWER_PHRASE = re.compile(
    r"\b(?:yes please|yes|yeah|yep|go ahead|go for it|do it|please proceed|proceed|start the "
    r"return|start it|refund it)\b",
    re.IGNORECASE,
)
_RUN_WORDS = 8  # a clause this long with no punctuation inside is a run of several
_AROUND_ANSWER = 3  # words on a side of the answer that make a clause of their own


def _cut_at_answers(clause: str) -> list[str]:
    """A long run cut before and after its explicit answers, where at least a few words stand
    on that side; every cut only separates, so each piece is still read with every veto."""
    if len(clause.split()) < _RUN_WORDS:
        return [clause]
    # Answers side by side ("yes go ahead", "yeah start the return") are one answer.
    spans: list[list[int]] = []
    for m in _ANSWER_PHRASE.finditer(clause):
        if spans and not clause[spans[-1][1] : m.start()].strip(" ,"):
            spans[-1][1] = m.end()
        else:
            spans.append([m.start(), m.end()])
    cuts: set[int] = set()
    for start, end in spans:
        if len(clause[:start].split()) >= _AROUND_ANSWER:
            cuts.add(start)
        if len(clause[end:].split()) >= _AROUND_ANSWER:
            cuts.add(end)
    bounds = [0, *sorted(cuts), len(clause)]
    pieces = (clause[a:b].strip() for a, b in itertools.pairwise(bounds))
    return [piece for piece in pieces if piece]


def _words(clause: str) -> list[str]:
    return _WORDS.findall(other_languages.fold(clause).lower())


def has_assent(clause: str) -> bool:
    """An assent word or sign in the clause (an emoji yes counts: "👍 but to my paypal")."""
    return any(is_assent_word(w) for w in _words(clause)) or any(s in clause for s in ASSENT_SIGNS)


def _own_item_words(terms: ProposalTerms) -> set[str]:
    names = (*terms.item_names, *terms.other_item_names)
    return {w for n in names for w in _WORDS.findall(n.lower()) if len(w) > 2}


def _names_terms(
    clause: str, words: list[str], vocabulary: frozenset[str], terms: ProposalTerms
) -> bool:
    if _IDS.search(clause) or _MONEY.search(clause) or re.search(r"\d", clause):
        return True
    if any(w in vocabulary for w in words) or _own_item_words(terms) & set(words):
        return True
    # A capitalised name in the clause may be a product ("don't call the Yoga Mat guy").
    return bool(re.search(r"\b(?:the|my|a|an)\s+[A-Z][a-z]+", clause))


def without_courtesy_idioms(reply: str) -> str:
    """The reply without negated idioms of thanks and candour ("can't thank you enough")."""
    text = other_languages.fold(normalise(reply))
    for idiom in _COURTESY_IDIOMS:
        text = re.sub(rf"\b{re.escape(idiom)}\b", " ", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip()


def _is_contact_or_courtesy_negation(words: list[str]) -> bool:
    """Every negator in the clause is bound to a word of contact or courtesy."""
    negators = [i for i, w in enumerate(words) if w in NEGATORS or w.endswith("n't")]
    if not negators:
        return False
    for i in negators:
        j = i + 1
        while j < len(words) and (words[j] in _NEGATION_BRIDGE or words[j] in NEGATORS):
            j += 1
        # The topic may carry a modifier or two ("the tracking email"); terms are checked after.
        if not any(w in ASIDE_TOPICS for w in words[j : j + 3]):
            return False
    return True


# "was not", "did not", "had never": the past tense written out.
_PAST_AUXILIARIES = frozenset("was were did had could".split())


def _is_story(words: list[str], text: str) -> bool:
    """A past-tense negation that tells what happened, in a clause of four words or more."""
    written_out = {
        i + 1
        for i, w in enumerate(words[:-1])
        if w in _PAST_AUXILIARIES and words[i + 1] in {"not", "never"}
    }
    past = (
        any(w in _PAST_NEGATORS for w in words)
        or bool(_PAST_AFTER_NEVER.search(text))
        or bool(written_out)
    )
    present = any(
        w in NEGATORS and w not in {"never", "nothing", "none", "nobody"} and i not in written_out
        for i, w in enumerate(words)
    )
    return len(words) >= 4 and past and not present


# Saying the message was read ("noted", "understood") beside a yes: the yes decides. Alone, a
# reply of these leaves nothing to read, so it never consents by itself.
_ACKNOWLEDGEMENT = re.compile(
    r"^(?:(?:ok|okay|right|alright|yes|and|but)[\s,]+)?(?:noted|understood|got it|i see|received|"
    r"message received|all clear|clear|copy that|copy|roger that|10-4|ten[ -]four|heard|"
    r"i understand|makes sense|fair enough)"
    r"(?:[\s,]+(?:thanks|thank you|ty))?[\s.!,]*$"
)
# Closing a request: "that's everything", "nothing else needed" (not "nothing else but X").
_CLOSING = re.compile(
    r"^(?:and\s+|but\s+|yes,?\s+)?(?:that'?s|that is|thats)\s+(?:all|everything)(?: for now)?"
    r"(?: thanks| thank you)?[\s.!,]*$"
    r"|^(?:and\s+)?nothing (?:else|more)(?: needed| required| to add| from me| for now)?[\s.!,]*$"
    r"|^(?:and\s+)?no (?:other|further) action (?:is\s+)?(?:needed|required)[\s.!,]*$"
    # A farewell: "have a good one", "take care now".
    r"|^(?:and\s+|so\s+)?(?:have a (?:good|great|nice|lovely|blessed) (?:one|day|night|evening|"
    r"weekend|week|afternoon|morning)|take care|all the best|bye|bye bye|cheerio|ciao)"
    r"(?:\s+(?:mate|pal|love|now|then|bro|boss|sir|ma'am|all))?[\s.!,]*$"
    # A preface that only announces what follows: "just so you know,", "for the record:".
    r"|^(?:and\s+|but\s+|oh\s+|also\s+)?(?:just so (?:you|ya|u) (?:know|are aware)|just to let "
    r"(?:you|u) know|just letting (?:you|u) know|fyi|for your information|for the record|"
    r"for your records|for context|for what it'?s worth|by the way|btw)[\s.!,:;-]*$"
)
# "don't worry about the packaging": reassurance about something the proposal does not name.
_REASSURANCE = re.compile(
    r"^(?:but\s+|and\s+|please\s+)*(?:don't|dont|do not|no need to)\s+worry\b"
)


def acknowledges(clause: str) -> bool:
    """An acknowledgement or a closing: says nothing of the proposal, and nothing of consent."""
    if "?" in clause:
        return False
    text = other_languages.fold(normalise(clause)).lower()
    return bool(_ACKNOWLEDGEMENT.match(text) or _CLOSING.match(text))


# Swearing off the shop or the carrier for the future ("I'm never ordering from you again"): a
# complaint about later dealings, not about these terms.
_NEVER_AGAIN = re.compile(
    r"\bnever\s+(?:ever\s+)?(?:be\s+)?(?:ordering|order|buying|buy|shopping|shop|using|use|"
    r"coming back|recommending|recommend|dealing)\b.*\bagain\b"
)
# An apology with its object: "sorry for bothering you", "apologies for the fuss". (Thanks are
# left in: they read as the warmth of a yes, and `_without_thanks` takes them where they end it.)
_APOLOGY = re.compile(
    r"^(?:and\s+|so\s+|again\s+)?(?:(?:i'?m|i am|we are|we're)\s+)?(?:so\s+|very\s+|really\s+|"
    r"truly\s+|terribly\s+)?(?:sorry|apologies)\b"
    r"(?:\s+(?:for|about)\s+[^.!?]*)?[\s.!,]*$"
)


def _speaks_only_for_itself(clause: str, terms: ProposalTerms) -> bool:
    """The clause raises no veto of its own but negation: no question, condition, sarcasm,
    hedge or term. What an aside rule sets aside must pass this."""
    return not read_cues(clause, terms).vetoes - {Veto.NEGATION, Veto.NO_ASSENT}


# A contrast that settles for what happened: "..., but ok", "but no problem", "but ty".
_SETTLING = re.compile(
    r"^(?:but|though|tho|pero|mais|aber|ma)\s+(?:(?:it'?s|its|that'?s|thats|all|it is)\s+)?"
    r"(?:ok|okay|ok lang|fine|alright|all right|good|no problem|no prob|no probs|no worries|"
    r"never ?mind|anyway|anyways|whatever|ty|thanks|thank you|thank u|thx|it happens)"
    r"(?:\s+(?:now|lah|lor|la|po|na|then|i guess))?"
    r"(?:[\s,.!]+(?:thanks|thank you|thank u|ty|thx|cheers)(?:\s+(?:so much|a lot))?)?[\s.!,]*$"
)
# A channel the customer would rather be reached on: "only message", "just text is ok".
_CHANNEL_ONLY = re.compile(
    r"^(?:but\s+|and\s+)?(?:only|just)\s+(?:by\s+|via\s+|on\s+)?(?:a\s+)?"
    r"(?:message|messages|msg|text|texts|sms|email|e-mail|mail|whatsapp|chat)"
    r"(?:\s+(?:is|are|me))?(?:\s+(?:ok|okay|fine|good|better|pls|please))?[\s.!,]*$"
)
# What happened, told in the past: a past-tense verb, nothing asked, wished or set for later.
_PAST_VERB = re.compile(
    r"\b(?:was|were|did|took|left|threw|came|arrived|got|went|dropped|broke|bruk|tossed|"
    r"flung|chucked|yeeted|sat|showed|turned|kept|lost|lied|ignored|[a-z]{3,}ed)\b"
)
_NOT_A_REPORT = frozenset(
    "will ll would wd can could should shall must need needs want wants please pls plz let "
    "if unless only just instead rather until till when once before after still yet next "
    "send sent give pay refund return do don't dont not no never".split()
)


def _is_past_report(words: list[str], text: str) -> bool:
    """A complaint about what happened ("the courier threw the box on the floor", "it took
    three weeks"): it tells, in the past tense, and asks, wishes or sets nothing."""
    if len(words) < 3 or not _PAST_VERB.search(text):
        return False
    if any(w in _NOT_A_REPORT or is_assent_word(w) for w in words):
        return False
    return not re.search(r"\d", text)


def is_aside(clause: str, terms: ProposalTerms) -> bool:
    """A clause whose negation is about something the proposal does not do."""
    if "?" in clause or "¿" in clause:
        return False
    text = other_languages.fold(normalise(clause)).lower()
    words = _WORDS.findall(text)
    if _SETTLING.match(text) or _CHANNEL_ONLY.match(text):
        return True
    if declined_channels(text) and _is_contact_or_courtesy_negation(words):
        # "dinnae text me, I'm at work": a stated preference, its negation bound to it.
        return not _names_terms(clause, words, TERM_WORDS, terms)
    if _is_past_report(words, text):
        return _speaks_only_for_itself(clause, terms) and not _names_terms(
            clause, words, _STORY_TERM_WORDS, terms
        )
    if _NEVER_AGAIN.search(text) or _APOLOGY.match(text):
        # "but I'm never ordering from them again": the "but" opens the aside, it sets no term.
        return _speaks_only_for_itself(
            _without_leading_contrast(clause), terms
        ) and not _names_terms(clause, words, _STORY_TERM_WORDS - {"order"}, terms)
    if _REASSURANCE.match(text):
        rest = words[words.index("worry") + 1 :] if "worry" in words else words
        return bool(rest) and not _names_terms(clause, rest, TERM_WORDS, terms)
    if _is_contact_or_courtesy_negation(words):
        return not _names_terms(clause, words, TERM_WORDS, terms)
    if _is_story(words, text):
        return not _names_terms(clause, words, _STORY_TERM_WORDS, terms)
    return False


# Thanks beside a yes: "okay thanks" is "okay". Never after a negator ("no thanks").
_THANKS = re.compile(
    r"(?<![\w'])(?:many thanks|thank you(?: very much| so much)?|thank u|"
    r"thanks(?: a lot| very much| so much)?|thx|"
    r"ty|tysm|cheers|much appreciated|merci|danke|gracias|grazie|obrigad[oa]|dziekuje|bedankt)"
    # Only where the thanks end the clause: "thanks anyway", "thanks for nothing" stay.
    r"(?=\s*(?:[,.!;]|$))[\s,.!]*",
    re.IGNORECASE,
)


def _without_thanks(text: str) -> str:
    """The text without its thanks, when an assent word is left and no negator precedes them."""

    def keep_if_negated(match: re.Match[str]) -> str:
        before = _words(text[: match.start()])
        return match.group(0) if before and before[-1] in NEGATORS else " "

    stripped = re.sub(r"\s+", " ", _THANKS.sub(keep_if_negated, text)).strip()
    if stripped == text.strip() or not any(is_assent_word(w) for w in _words(stripped)):
        return text
    return stripped


def _is_strong(text: str) -> bool:
    """An explicit yes word or an explicit go, not a bare "ok" or "sure"."""
    lowered = f" {' '.join(_WORDS.findall(text.lower()))} "
    return any(f" {w} " in lowered for w in _STRONG_YES) or any(
        f" {g} " in lowered for g in _GO_WORDS if g not in {"please", "pls", "plz"}
    )


_FILLER_BEFORE_THANKS = re.compile(
    r"\b(?:um+|uh+|uhm|er|erm)\b[\s,.]*(?=(?:thanks|thank you|thank u|cheers|ty)\b)",
    re.IGNORECASE,
)


def strip_fillers_and_laughter(text: str) -> str:
    """Leading filler and thanks beside a yes always; laughter only beside an explicit yes
    with an explicit go."""
    if _is_strong(text):
        # "go ahead uh thanks": a filler before thanks after an explicit go hesitates nothing.
        text = _FILLER_BEFORE_THANKS.sub("", text)
    tokens = _without_thanks(text).split()
    # Filler drops only before an explicit yes or go, wherever it stands ("yeah that sounds
    # good um go ahead", as dictated): "hmm ok", "uh sure" and "ok um" hesitate.
    tokens = [
        t
        for i, t in enumerate(tokens)
        if t.lower().strip(",.!") not in FILLERS or not _is_strong(" ".join(tokens[i + 1 :]))
    ]
    rest = " ".join(tokens)
    lowered = f" {' '.join(_WORDS.findall(rest.lower()))} "
    laughs = any(t.lower().strip(",.!") in LAUGHTER for t in tokens)
    # A leading "whatever," is resignation when an explicit yes with a go follows it ("whatever,
    # yes go ahead, just get it done"); alone or beside a bare "ok" it shrugs the offer off.
    resigned = bool(tokens) and tokens[0].lower().strip(",.!") in _RESIGNED
    if not laughs and not resigned and not any(m in rest for m in LAUGHTER_MARKS):
        return rest
    strong = any(f" {w} " in lowered for w in _STRONG_YES) and any(
        f" {g} " in lowered for g in _GO_WORDS
    )
    if not strong:
        return rest
    if resigned:
        tokens = tokens[1:]
    rest = " ".join(t for t in tokens if t.lower().strip(",.!") not in LAUGHTER)
    for mark in LAUGHTER_MARKS:
        rest = rest.replace(mark, "")
    return rest.strip()


_RESIGNED = frozenset({"whatever", "fine"})
_CONTRASTS = frozenset("but though tho although however anyway aber pero mais ma maar".split())


def _is_contrast_before_consent(clause: str, terms: ProposalTerms) -> bool:
    """ "..., but that was last week, yes go ahead": a contrast that turns toward the yes still
    to come, and says nothing else: no question, condition, term, hedge or present negation."""
    words = _words(clause)
    if len(words) < 2 or words[0] not in _CONTRASTS or "?" in clause:
        return False
    body = " ".join(clause.split()[1:])
    if _holds_in_another_language(_words(body)):
        return False
    vetoes = read_cues(body, terms).vetoes - {Veto.NO_ASSENT}
    if vetoes == {Veto.NEGATION}:
        return _is_story(_words(body), body.lower()) and not _names_terms(
            body, _words(body), _STORY_TERM_WORDS, terms
        )
    return not vetoes and not _names_terms(body, _words(body), _CONTRAST_TERM_WORDS, terms)


# Words that make a contrast after the yes a change to it ("yes, but wait", "but only if",
# "but let me ask first"), beyond the terms themselves.
_HOLDING_WORDS = frozenset(
    "wait hold hang pause first after before once if unless need needs must have has should "
    "would could let ask check think maybe perhaps actually rather prefer instead except only "
    "just also too but later soon tomorrow today tonight now yet still until till next when "
    "want wanted wish hope hoping mean meant sure not no never don't dont won't wont can't "
    "cant cannot nah nope disagree disagrees object objects against unhappy worried unsure "
    "sceptical skeptical doubt doubts hesitant reluctant nervous confused let's lets see meh "
    "eh idk dunno guess suppose probably possibly kinda sorta seriously slowly carefully "
    # someone whose say may still be needed
    "husband wife partner boss manager mum mom mam dad mother father parents son daughter "
    "brother sister family accountant lawyer "
    # which thing, how much
    "one ones pair pairs size colour color version model kind type other another different "
    "else more less extra plus minus without excluding including both either neither".split()
)
# Terms that a venting contrast may name without changing anything: the yes's own words.
_PLAIN_REFERENCES = frozenset("it that this them these those ok okay yes right".split())


def _is_venting_contrast_after_consent(clause: str, terms: ProposalTerms) -> bool:
    """ "yes go ahead, but there we are", "but I thank you for helping": a contrast after an
    explicit yes that closes a complaint and asks, holds or changes nothing."""
    words = _words(clause)
    if len(words) < 2 or words[0] not in _CONTRASTS or "?" in clause:
        return False
    body_words = [w for w in words[1:] if w not in _PLAIN_REFERENCES]
    body = " ".join(clause.split()[1:])
    if any(w in _HOLDING_WORDS or w.endswith("n't") for w in body_words):
        return False
    if _holds_in_another_language(body_words):
        return False  # "d'acord, però només la meitat": "but only half"
    if read_cues(body, terms).vetoes - {Veto.NO_ASSENT}:
        return False
    return not _names_terms(body, body_words, TERM_WORDS | _CONTRAST_TERM_WORDS, terms)


def _holds_in_another_language(words: list[str]) -> bool:
    """A word of refusal, condition or limit of another language that English does not have
    ("només", "samo", "sèlman"): the English holding words cannot see it."""
    return any(w in foreign_veto_words() and not is_english(w) for w in words)


def _is_bare_connective(clause: str) -> bool:
    words = _words(clause)
    # "Also," on its own before a story set aside beside it belonged to that story.
    return bool(words) and all(w in _CONNECTIVES or w == "also" for w in words)


def _without_leading_contrast(clause: str) -> str:
    tokens = clause.split()
    # "but anyway, yes": every contrast that opens the clause.
    while len(tokens) > 1 and tokens[0].lower().strip(",") in _CONTRASTS:
        tokens = tokens[1:]
    if len(tokens) < len(clause.split()):
        return " ".join(tokens)
    return clause


def consent_part(
    reply: str, terms: ProposalTerms, judged_aside: AsideJudgement | None = None
) -> str | None:
    """The reply without its asides, leading filler and laughter; None when nothing was set
    aside, or when nothing but asides was said (then there is no consent to read).

    `judged_aside` adds the clauses the trained aside model set aside (`consent_asides`) to the
    ones these rules prove."""
    text = without_courtesy_idioms(reply)
    dropped = text != re.sub(r"\s+", " ", other_languages.fold(normalise(reply))).strip()
    kept: list[str] = []
    acknowledged = judged = False
    parts = clauses(text)
    # An emoji yes ("👍 but to my paypal") counts: what follows it is not before the consent.
    assenting = [has_assent(c) for c in parts]
    first_assent = assenting.index(True) if True in assenting else len(parts)
    aside = [False] * len(parts)
    for i, clause in enumerate(parts):
        if unread_part([clause], terms) is not None:
            continue  # what the reader cannot read is never set aside unread
        if acknowledges(clause):
            acknowledged = dropped = aside[i] = True
        elif judged_aside is not None and judged_aside(clause, terms):
            judged = dropped = aside[i] = True
        elif (
            is_aside(clause, terms)
            or (i < first_assent and _is_contrast_before_consent(clause, terms))
            or (
                i > first_assent
                and _is_strong(" ".join(parts[:i]))
                and _is_venting_contrast_after_consent(clause, terms)
            )
        ):
            dropped = aside[i] = True
    for i, clause in enumerate(parts):
        if aside[i]:
            continue
        if _is_bare_connective(clause) and (
            (i > 0 and aside[i - 1]) or (i + 1 < len(parts) and aside[i + 1])
        ):
            # "don't call me though": the "though" belonged to the aside set aside beside it.
            dropped = True
            continue
        if i > first_assent and aside[i - 1] and assenting[i]:
            # "[a story set aside], but anyway please proceed": the contrast turned from the
            # aside back to the yes.
            turned = _without_leading_contrast(clause)
            dropped = dropped or turned != clause
            clause = turned
        elif i == first_assent and i > 0:
            # "Worst service ever, but yes, start it": the contrast turns to the yes; what came
            # before stays and is read with every veto.
            turned = _without_leading_contrast(clause)
            dropped = dropped or turned != clause
            clause = turned
        kept.append(clause)
    rest = " ".join(kept)
    stripped = strip_fillers_and_laughter(rest)
    if not dropped and stripped == rest:
        return None
    if acknowledged and not _is_strong(stripped):
        return None  # "right, understood": an acknowledgement needs an explicit yes beside it
    if judged and not explicit_yes(stripped, terms):
        return None  # "sure, and I'm the Queen of England": a bare "sure" is not enough
    return stripped if stripped.strip(" ,.;:-–—!") else None
