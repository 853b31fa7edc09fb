"""The answer at the end of a story: "The driver didn't ring, I found the box behind the bins
on Thursday. Anyway, yes, please go ahead with the refund."

Customers often tell what happened before they answer. The whole-reply cues read the story's
negations and "but"s as a refusal or a condition, so such a yes is never taken. Here the reply
is cut into sentences; when the answer sentence (the first with an explicit yes or go) is
preceded only by sentences that tell, and none that asks, wants, conditions or names money, the
answer and what follows it are read again by the same reader. Only that reading's yes counts,
with every veto on the answer's own words.

What makes a sentence "only tells" is deliberately narrow: anything that could be a term of the
consent (a wish, a request, a condition, money, another outcome) keeps the whole reply in play.
Hand-written rules rather than a model, for the reason consent_scope gives.
"""

from __future__ import annotations

import re

from app.language.consent_lexicon import fold
from app.language.mentions import _IDS, _MONEY, normalise

# Sentence ends: ".", "!", "?" or "…" followed by space, or a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
# An explicit answer: a yes word or an explicit go (not "ok" or "sure" alone).
_ANSWER = re.compile(
    r"\b(?:yes|yeah|yep|yup|go ahead|go for it|please proceed|proceed|do it|start the return|"
    r"start it|refund it|process it|process the refund)\b"
)
# A sentence that could set a term of the consent, not just tell what happened.
_NOT_JUST_TELLING = re.compile(
    # conditions and alternatives
    r"\b(?:if|unless|provided|providing|as long as|so long as|only if|instead|rather|except|"
    r"assuming|on condition|in exchange)\b"
    # a wish or a request, now
    r"|\b(?:i|we)\s+(?:want|need|would|'d|prefer|wish|hope|expect|insist|demand)\b"
    r"|\b(?:i|we)'d\b|\b(?:please|pls|plz|kindly|can you|could you|would you|will you)\b"
    # money, where it goes, and outcomes other than the proposal's
    r"|\b(?:refund|refunded|money back|amount|price|paypal|account|bank|voucher|credit|"
    r"replacement|replace|exchange|keep|keeping|half (?:of|the)|the full|partial|discount|"
    r"compensation)\b"
    # the card paid with ("a card" through the door is the courier's)
    r"|(?<!\ba )\bcard\b"
    # a part of the order, or a time still to come: "only the mug", "away until the 20th",
    # "I'll post it Monday"
    r"|\bonly\s+(?:the|my|this|that|these|those|one|half|part|if|when|after|once)\b"
    r"|\b(?:just the|tomorrow|tonight|later|next|fortnight)\b"
    r"|\b(?:until|till|before|after|once|by|from)\s+(?:the\s+)?(?:\d|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|weekend|week|month|tomorrow|then)"
    r"|\b(?:i|we)(?:'ll| will| shall|'m going to| am going to| are going to)\b"
    # consent words of its own: the answer starts there
    r"|\b(?:agree|accept|confirm|okay|ok|fine|sure)\b"
)
# A short refusal standing as its own sentence ("No.", "Not that."): never just telling.
_SHORT_REFUSAL = re.compile(r"\b(?:no|nope|nah|not|don't|dont|never|cancel|stop|wait)\b")


def sentences(reply: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(normalise(reply).strip()) if s.strip()]


def _tells(sentence: str) -> bool:
    lowered = fold(sentence).lower().replace("’", "'")
    if "?" in sentence or _IDS.search(sentence) or _MONEY.search(sentence):
        return False
    if len(lowered.split()) <= 4 and _SHORT_REFUSAL.search(lowered):
        return False
    return not _NOT_JUST_TELLING.search(lowered)


# Words that close a story and turn to the answer inside one sentence: "..., none of my
# neighbours have it, anyway yes, go ahead please".
_PIVOT = re.compile(
    r"[,;]\s*(?=(?:but\s+)?(?:anyway|anyhow|regardless|long story short|be that as it may|"
    r"all that aside|that said)\b)",
    re.IGNORECASE,
)


def _pivoted(parts: list[str]) -> list[str]:
    """Sentences, with one that turns at a pivot to its answer cut there."""
    out: list[str] = []
    for sentence in parts:
        out.extend(p for p in _PIVOT.split(sentence) if p.strip())
    return out


def story_answer(reply: str) -> str | None:
    """The answer after a story that only tells; None when the reply is not one."""
    parts = _pivoted(sentences(reply))
    for k, sentence in enumerate(parts):
        if _ANSWER.search(fold(sentence).lower()):
            if k == 0 or not all(_tells(s) for s in parts[:k]):
                return None
            return " ".join(parts[k:])
    return None
