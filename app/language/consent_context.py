"""The answer among clauses that only give context: "Yes, go ahead. Lid doesn't seal, all the ice
melted at the bach."

On replies written outside the project most yeses come with the why beside them: what is wrong
with the goods, where the parcel went, who is laughing at the wrong item. `consent_scope` and
`consent_asides` set a clause aside only when they can prove what it is (a past-tense story, a
contact wish, a drop-off plan); a description in the present tense ("they don't fit my bed"),
with a size or an age in it ("size 42 was tight", "I'm 82 years old") or with a "but" that only
tells ("the bairn thinks it's mint, but it's not what I paid for") has no such proof, and its
negation, number or "but" then vetoes the whole yes.

Here the reply is split the other way round. The answer is the clauses that say yes or ask for
the proposal's own action; every other clause is context, and context is set aside unless it
carries something the deal could turn on. What a clause may turn the deal on is a short, closed
list, read by the same cues as the answer plus stricter phrases: a question, another order,
amount, item, outcome or destination, a count of goods, a limit ("only", "just the", "one of"),
a condition or a time still to come ("if", "as long as", "next week", "once"), a wish or a
request to us ("I'd rather", "please send", "can you"), a refusal of the act ("don't do it",
"cancel", "changed my mind"), hedging or sarcasm, or words the reader cannot read. The answer is
then read again by the consent head with every veto, and it must be an explicit yes (a bare
"sure" beside a clause set aside may be sarcasm: "sure, and I'm the Queen of England").

Hand-written rules for the gate, for the reason `consent_scope` gives; the trained head still
decides the yes, and a rule here can only set aside context, never make a yes of a change.
"""

from __future__ import annotations

import re
from functools import cache

from app.language import consent_lexicon as other_languages
from app.language.consent_asides import _item_words, explicit_yes, proven_aside, singular
from app.language.consent_cues import DATE, Veto, names_other_destination, read_cues
from app.language.consent_scope import (
    acknowledges,
    clauses,
    has_assent,
    is_aside,
    strip_fillers_and_laughter,
)
from app.language.consent_terms import ProposalTerms
from app.language.english_words import is_english, near_english
from app.language.foreign_assent import foreign_veto_words
from app.language.mentions import normalise
from app.language.readable import (
    CHAT_WORDS,
    FOREIGN_FUNCTION_WORDS,
    in_another_language,
    lexicon_words,
    unread_part,
)
from app.language.restated_terms import _heads, _item_stems, _named_stem

# Cues that always keep a context clause in the reading: each says something of the deal.
_DEAL_CUES = frozenset(
    {
        Veto.QUESTION,
        Veto.SARCASM,
        Veto.HEDGE,
        Veto.OTHER_ORDER,
        Veto.OTHER_AMOUNT,
        Veto.OTHER_ITEM,
        Veto.OTHER_OUTCOME,
    }
)
# The lexicon languages' words of condition, limit, refusal and doubt ("pero", "nur", "mais",
# "nee", "chyba"): English rules below cannot read them, so a clause with one stays.
_LEXICON_VETO_WORDS = frozenset(
    w
    for phrase in (
        *other_languages.CONDITIONS,
        *other_languages.HEDGES,
        *other_languages.NEGATIONS,
    )
    for w in phrase.split()
    if not is_english(w)
)

# The wrong goods as they came ("sent me a lava lamp instead of what I ordered"): what
# happened, not an outcome asked for instead.
_CAME_INSTEAD = re.compile(
    r"\b(?:sent|send|gave|delivered|shipped|got|received|came with|brought|receive|get|come)\b"
    r"(?:\s+\S+){0,8}?\s+instead of\b"
    r"|\binstead of\b(?:\s+\S+){1,6}?\s+(?:i|we)\s+(?:receive|received|got|get)\b"
)
# Counterfactuals about the past tell a story: "if I'd known", "if I know before, I never order".
_COUNTERFACTUAL_IF = re.compile(
    r"\bif\s+(?:i|we)\s*(?:'d|had|hadn't|hadnt|knew|known|know)\b"
    r"|\b(?:would|wouldn't|wouldnt|could|i'd|we'd)\s+(?:not\s+|never\s+)?(?:have|of|'ve|ve)\b"
    r"|\b(?:would've|wouldve|could've|couldve)\b"
)
# Never context, whatever else the clause is: a refusal or a stop, a limit or an exclusion, an
# addition, a time or a condition set on our act.
_HARD = re.compile(
    r"\b(?:cancel|cancelled|stop|forget it|leave it|leave out|leave the|leave de|leave them|"
    r"never ?mind|no thanks|no thank you|not now|not yet|don't bother|dont bother|no need|"
    r"don't do|dont do|do not do|don't want|dont want|do not want|don't need|dont need|"
    r"no longer|changed my mind|change my mind|hold off|scrap|exclud\w*|without|add|added|"
    r"about to|when (?:you|u|ur|you're|youre|you've|it's|its|i'm|im|i am|i get|i'm back)|"
    r"after|before|from then|onwards|within|by then|that's it|thats it|long as|"
    r"like (?:i|ah|i'll|ah'll|i will) (?:ever|would)|as if|"
    r"not (?:the|my|those|these|this|that|them|all|both|yet))\b"
)
# A condition, a limit, a time still to come, an addition, somewhere for the money: the deal's
# own terms. ("but", "though" and a past "when" only tell.)
_TERMS = re.compile(
    r"\b(?:if|unless|provided|providing|assuming|as long as|so long as|condition|conditions|"
    r"subject to|onky|except|apart from|other than|instead|rather|as well|plus|"
    r"include|including|once|wait|hold(?! on)|hang on|pause|later|soon|tomorrow|"
    r"tmrw|tonight|payday|fortnight|weekend|half|partial|partly|part of|some of|one of|"
    r"two of|none of|rest|remaining|whole|all of|each|extra|"
    r"another|other|else|keep|keeping|keepin|kept|stays|stay|new one|replacement|replace|"
    r"exchange|swap|"
    r"credit|voucher|coupon|discount|compensation|account|bank|paypal|wallet|transfer|"
    r"cash|money|dime|fee|fees|postage|shipping|ship|address|deal|mind|decide|think|thinking|"
    r"check|checking|checked|talk|sure|certain|gotta|backdate)\b"
    # "only"/"just" that limit: before a determiner, a count, a condition or a time.
    r"|\b(?:only|just)\s+(?:the|di|da|de|my|this|that|these|those|one|two|three|half|part|if|"
    r"when|after|once|for|to|a\s+(?:few|couple)|some|\d)\b"
    # "also" that adds: before goods, money or an act.
    r"|\balso\s+(?:the|my|a|an|this|that|these|those|refund|return|send|include|add|pay|cover|"
    r"want|need|\d|one|two|both)\b|\balso\W*$"
    # a time still to come, a start to come
    r"|\bnext\s+(?:week|month|year|day|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|weekend|payday|fortnight)\b|\bfirst(?!\s+(?:day|time|wash|week|night|use|go|try|"
    r"wear|one|place))\b|^\W*actually\b"
    # the card paid with, not the courier's card through the door
    r"|\b(?:my|the|your|to|credit|debit|bank|gift|other|another|same)\s+card\b"
)
# A clause of the past may say "until", "asking", "wait" of what happened ("from 7am till 1am",
# "my kids have been asking"); said of now, they set a time or a say still to come.
_TERMS_UNLESS_PAST = re.compile(r"\b(?:until|till|til|ask|asking|wait|waiting)\b")
# Courteous or told "if"s: "if needed", "sorry if short", "if you want to see them".
_TOLD_IF = re.compile(
    r"\bif (?:needed|necessary|required|possible|at all possible|so|any|anything|one exists|"
    r"(?:you|u) (?:want|need|wish|would like) to see\b[^,.;]*|its life depended|"
    r"it's life depended)\b|\bsorry if\b"
)
# A condition on the answer, whatever else the clause is (a contact wish or a drop-off plan
# with an "if" in it still conditions: "but only if someone comes to collect it").
_CONDITION = re.compile(
    r"\b(?:if|unless|provided|providing|as long as|so long as|on condition|assuming)\b"
)
# "let me know", "let me hear the end of it": what somebody says, not a say still to come.
_TOLD_LET = re.compile(r"\blet (?:me|us) (?:know|hear)\b")

# What the customer asks of us, or wishes, in a clause beside the answer.
_ASKS = re.compile(
    r"\b(?:please|pls|plz|kindly|can you|could you|would you|will you|can u|could u|"
    r"make sure|let me|let us|lemme|don't forget|remember to|send|give|pay|refund|return|"
    r"(?:i|we)\s+(?:really\s+|just\s+|would\s+|'d\s+)?(?:want|wanted|need|needed|like|prefer|"
    r"wish|insist|demand|expect|hope)|i'd|we'd|it'd|id rather)\b"
)
# A number that counts goods: digits anywhere but in a time, an age, a size or a measurement;
# a count word before "of" or "x".
_TIME_OR_MEASURE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:am|pm|a\.m\.?|p\.m\.?|h|hrs?|hours?|mins?|minutes?|days?|nights?|"
    r"weeks?|wks?|months?|years?|yrs?|years old|yo|o'clock|washes|wears|uses|times|km|cm|mm|"
    r"kg|lbs?|degrees?|inch|inches|ft|feet|miles?|floors?|storeys?|percent)\b"
    r"|\b(?:size|sz|age|aged|turned|turns|hour|floor|flat|apt|unit|block|room|number|no|since|"
    r"from|every|is|'s|s|am|are|only)\s*\d+\b"
    r"|\b\d{1,2}:\d{2}\b|\b\d+/\d+\b|\b(?:19|20)\d\d\b"
    # people, pets, calls and tries: how many of them, not of the goods
    r"|\b\d+\s+(?:kids?|children|child|daughters?|sons?|babies|baby|dogs?|cats?|grandchildren|"
    r"calls?|chats?|emails?|messages?|promises?|attempts?|tries|runs|labels|rings)\b"
)
_COUNTS = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|both|all|half|none|single)\s+"
    r"(?:of|x|pair\w*|pieces?|units?|items?|sets?|box(?:es)?|packs?|lots?)\b"
    # a clause that opens on a count: "one pair's worth", "two please"
    r"|^\W*(?:one|two|three|four|five|six|half|both|single)\b"
)
# The past told: a past verb, nothing planned or wished ("on 3 March I was in Split").
_PAST = re.compile(
    r"\b(?:was|were|did|didn't|didnt|had|came|got|arrived|left|said|went|took|[a-z]{3,}ed)\b"
)
_PLANS = re.compile(r"\b(?:will|'ll|ll|gonna|going to|shall|can|could|should|would|must)\b")
# A clause of goods and no verb ("the size 10 pair", "and the chairs"): it names what the yes is
# for, so it is part of the deal.
_NAMES_GOODS = re.compile(
    r"^(?:and |but |or |just |only |yes |yeah |for |with |of |plus |also |& )*(?:the|my|a|an|"
    r"both|those|these|that|this|de|di|da|them|dem)\b"
)
_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|am|has|have|had|did|does|do|don't|doesn't|didn't|can't|"
    r"won't|isn't|wasn't|came|come|got|get|went|go|left|took|made|put|sat|fit|fits|work|works|"
    r"[a-z]{3,}ed|[a-z]{3,}ing)\b"
)
# "the one only", "the lamp only": a limit set after the goods it keeps.
_TRAILING_LIMIT = re.compile(r"\b(?:one|ones|them|it|pair|pairs|set|sets|item|items|lot)\s+only\b")
# The parcel has come after all: a proposal that rests on it never arriving is moot.
_ARRIVED = re.compile(
    r"\b(?:came|arrived|turned up|showed up|got here|was delivered|been delivered|received it|"
    r"found it|(?:has|have|'s got|has got|got|holding|kept)\s+(?:it|them|the parcel|the package|"
    r"my parcel|my package|the box))\b"
)
_NEGATED = re.compile(
    r"\b(?:not|never|no|didn't|didnt|hasn't|hasnt|haven't|havent|nothing|nobody|without|don't|"
    r"dont|wasn't|wasnt|neither|nor|no one|none)\b"
)
# "aye right", "yeah right": a yes word said as scorn.
_SCORN = re.compile(r"\b(?:aye|yeah|yea|ya|yes) right\b")
# "start it then": the answer put off to a time the context set.
_PUT_OFF = re.compile(r"\b(?:it|them|that|this|do|start|proceed|refund|return|go)\s+then\b")


def answer_in_context(reply: str, terms: ProposalTerms) -> str | None:
    """The answer clauses of a reply whose other clauses only give context; None when there is
    no such answer, nothing else was said, or some other clause may change the deal."""
    parts = clauses(reply)
    answering = [_answers(clause, terms) for clause in parts]
    if not any(answering) or all(answering):
        return None
    restating = _restating_pieces(parts, answering, terms)
    context = [
        clause
        for clause, answers, restates in zip(parts, answering, restating, strict=True)
        if not answers and not restates
    ]
    if any(may_change_the_deal(clause, terms) for clause in context):
        return None
    answer = strip_fillers_and_laughter(
        " ".join(clause for clause, answers in zip(parts, answering, strict=True) if answers)
    )
    lowered = other_languages.fold(normalise(answer)).lower()
    if _SCORN.search(lowered) or _PUT_OFF.search(lowered):
        return None
    return answer if explicit_yes(answer, terms) else None


def _restating_pieces(parts: list[str], answering: list[bool], terms: ProposalTerms) -> list[bool]:
    """Clauses that between them name the proposal's lines again ("the two towels", "and the
    bath mat"): each names only its lines, with their own counts, and together they name every
    line. Otherwise none."""
    items = _item_stems(terms)
    if not items or not all(items) or len(terms.quantities) != len(items):
        return [False] * len(parts)
    vocabulary, heads = set().union(*items), _heads(terms)
    pieces = [False] * len(parts)
    named: set[str] = set()
    for k, (clause, answers) in enumerate(zip(parts, answering, strict=True)):
        if answers:
            continue
        words = re.findall(r"[a-z0-9]+", other_languages.fold(normalise(clause)).lower())
        if " ".join(words) in _ALL_OF_IT:
            pieces[k] = True  # "all of it": the whole of what was proposed
            continue
        stems: set[str] = set()
        count: int | None = None
        for word in words:
            if word in _PIECE_WORDS:
                continue
            if word in _NUMBER_WORDS:
                count = _NUMBER_WORDS[word]
                continue
            stem = _named_stem(word, vocabulary, heads)
            if stem is None:
                stems = set()
                break
            stems.add(stem)
        lines = [i for i, item in enumerate(items) if item & stems]
        if not stems or not lines:
            continue
        if count is not None and any(terms.quantities[i] != count for i in lines):
            continue
        pieces[k] = True
        named |= stems
    if not all(item & named for item in items):
        return [False] * len(parts)
    return pieces


_ALL_OF_IT = frozenset({"all of it", "all of them", "the lot", "the whole lot", "everything"})
_PIECE_WORDS = frozenset("and the my both of pair pairs set sets pack packs + &".split())
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "1": 1, "2": 2, "3": 3}


def _answers(clause: str, terms: ProposalTerms) -> bool:
    """A clause that says yes, or asks for the proposal's own act ("refund it", "send the gloves
    back", "return both bedsheet sets"): read by the head with every veto, never set aside."""
    text = other_languages.fold(normalise(clause)).lower()
    # A forgiving assent word ("ya", "sure", "grand") answers in a short clause; in a longer
    # one it is more likely a word of the story ("sure wasn't me signing"), read as context.
    if explicit_yes(clause, terms) or (has_assent(clause) and len(text.split()) <= _SHORT):
        return True
    return bool(_OWN_ACT[terms.action].search(text)) or restates_scope(clause, terms)


_SHORT = 4

# The proposal's act named: a clause that does is part of the answer, and the head and the
# vetoes read it ("send the hair dryer back" of a blow dryer passes, "send the wellies back"
# of a toothbrush does not).
_OWN_ACT = {
    "refund": re.compile(r"\b(?:refund|refunded|reimburse|money back)\b"),
    "return": re.compile(
        r"\b(?:return|returns|returning|send\s+(?:\S+\s+){0,4}?back|sending\s+(?:\S+\s+){0,4}?"
        r"back|going back|go back|goes back|take\s+(?:\S+\s+){0,3}?back|ship\s+(?:\S+\s+){0,3}?"
        r"back|post\s+(?:\S+\s+){0,3}?back)\b"
    ),
}
_SCOPE_WORDS = frozenset(
    "only just the di da de my these those this that them it all of both pair pairs set sets "
    "please pls thanks ta it's its is it is".split()
)
_TWO = frozenset({"both", "two", "2"})


def restates_scope(clause: str, terms: ProposalTerms) -> bool:
    """ "Just the drink bottle", "only the lights", "both pairs": the proposal's own items named
    again, every one of them and nothing else ("both" only when the proposal holds two)."""
    items = _item_stems(terms)
    if not items or not all(items):
        return False
    vocabulary, heads = set().union(*items), _heads(terms)
    words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", other_languages.fold(normalise(clause)).lower())
    named: set[str] = set()
    for word in words:
        if word in _SCOPE_WORDS or word in _TWO:
            continue
        stem = _named_stem(word, vocabulary, heads)
        if stem is None:
            return False
        named.add(stem)
    if not named or not all(item & named for item in items):
        return False
    return not (set(words) & _TWO) or sum(terms.quantities or (1,)) == 2


def may_change_the_deal(clause: str, terms: ProposalTerms) -> bool:
    """Whether a clause beside the answer says anything the deal could turn on."""
    return why_kept(clause, terms) is not None


def why_kept(clause: str, terms: ProposalTerms) -> str | None:
    """What in a clause beside the answer the deal could turn on; None when it only gives
    context."""
    if acknowledges(clause):
        return None
    if unread_part([clause], terms) is not None or in_another_language(clause):
        return "unread"  # what the reader cannot read may say anything
    text = other_languages.fold(normalise(clause)).lower().replace("’", "'")
    words = re.findall(r"[a-z']+", text)
    if set(words) & (_LEXICON_VETO_WORDS | foreign_veto_words()):
        return "a veto word of another language"
    if _foreign_words(words):
        return "unread words"  # another language's words the English rules cannot read
    cues = read_cues(clause, terms).vetoes & _DEAL_CUES
    if cues:
        return "cue " + ",".join(sorted(v.value for v in cues))
    told = _COUNTERFACTUAL_IF.sub(" ", _CAME_INSTEAD.sub(" ", text))
    if names_other_destination(clause):
        return "somewhere else for the money or the goods"
    told = _TOLD_LET.sub(" ", _TOLD_IF.sub(" ", told))
    if hard := (_HARD.search(told) or _CONDITION.search(told)):
        return f"refusal, limit or time: {hard.group(0)}"
    if {singular(w) for w in words} & _item_words(terms, other=True) or _TRAILING_LIMIT.search(
        text
    ):
        return "other goods or a limit"
    if _limits_goods(words, terms) or (len(words) <= 3 and set(words) & _LIMITS):
        return "a limit on goods"
    if terms.not_received and _ARRIVED.search(text) and not _NEGATED.search(text):
        return "the parcel came"
    past = bool(_PAST.search(told)) and not _PLANS.search(told)
    if not past and DATE.search(told):
        return "a date"
    if _COUNTS.search(_TIME_OR_MEASURE.sub(" ", DATE.sub(" ", told))):
        return "a count"
    if len(words) <= 5 and _NAMES_GOODS.match(told) and not _VERB.search(told):
        return "goods named"
    # A drop-off plan or a contact wish may say "please" or "tomorrow"; nothing above.
    if is_aside(clause, terms) or proven_aside(clause, terms):
        return None
    if term := (_TERMS.search(told) or _ASKS.search(told)):
        return f"a term or an ask: {term.group(0)}"
    if (later := _TERMS_UNLESS_PAST.search(told)) and not past:
        return f"a time or a say to come: {later.group(0)}"
    # A short negation standing alone ("no.", "not that", "nah mate") refuses.
    if len(words) <= 3 and set(words) & {"no", "not", "nope", "nah", "never", "don't", "dont"}:
        return "a short negation"
    return None


def _foreign_words(words: list[str]) -> bool:
    """Words of another language beside the English ones: any of its function words, or three
    words (or more than half) the English vocabulary does not know. A rare word or two in an
    English clause ("the thermostat overshoots", "my name's Hensley") stays English."""
    plain = [w.split("'")[0] for w in words if w not in CHAT_WORDS]
    if set(plain) & (FOREIGN_FUNCTION_WORDS | _lexicon_only_words()):
        return True
    unknown = sum(len(w) > 2 and not near_english(w) for w in plain)
    return unknown >= 3 or 2 * unknown > len(plain)


@cache
def _lexicon_only_words() -> frozenset[str]:
    """The lexicon languages' words that are not English ("komt", "geld", "mijn")."""
    return frozenset(w for w in lexicon_words() if len(w) > 2 and not near_english(w))


_LIMITS = frozenset({"only", "just", "onky", "onli", "jus", "solely"})


def _limits_goods(words: list[str], terms: ProposalTerms) -> bool:
    """ "only earbuds", "just the blue one": a limit within two words of goods."""
    goods = _item_words(terms, other=True) | _item_words(terms) | {"one", "ones", "pair", "pairs"}
    return any(
        w in _LIMITS and {singular(x) for x in words[i + 1 : i + 3]} & goods
        for i, w in enumerate(words)
    )
