"""Which ways of being contacted a customer has asked us not to use ("yes go ahead, but don't
send me any emails", "no texts please", "keine E-Mails bitte").

The consent reader sets such a clause aside (it says nothing about the proposal); this module
keeps what it does say, so the write's confirmation email is not sent to someone who declined
it. Only a stated preference counts: an imperative or a wish ("don't email me", "I don't want
any texts", "without an email"), never a complaint about the past ("you never emailed me", "no
email arrived", "I didn't get a text").

Hand-written patterns rather than a classifier: the frames are few and closed, a miss costs one
unwanted email (never a write), and a reviewer can read every frame here.
"""

from __future__ import annotations

import re
from typing import Final

from app.language.consent_lexicon import fold

EMAIL: Final = "email"
SMS: Final = "sms"
PUSH: Final = "push"
CALL: Final = "call"
# What a customer means by "don't contact me" / "no notifications": every channel we might use.
EVERY_CHANNEL: Final = frozenset({EMAIL, SMS, PUSH, CALL})

_CHANNEL_WORDS: dict[str, frozenset[str]] = {
    EMAIL: frozenset(
        {EMAIL, "e-mail", "emails", "e-mails", "emailing", "e-mailing", "mail", "mails"}
        | {"mailing", "mailed", "inbox", "correo", "correos", "courriel", "courriels"}
    ),
    SMS: frozenset({"sms", "text", "texts", "texting", "whatsapp", "txt", "txts"}),
    PUSH: frozenset({"push"}),
    CALL: frozenset(
        {"call", "calls", "calling", "ring", "phone", "phoning", "anruf", "anrufe", "llamadas"}
        | {"llamada", "llamen", "llamar", "appeler", "appels"}
    ),
}
_EVERY_CHANNEL_WORDS = frozenset(
    {"contact", "contacting", "notifications", "notification", "messages", "spam", "spamming"}
    | {"updates"}
    | {"emails/texts", "nachrichten", "benachrichtigungen", "notificaciones", "mensajes"}
)
_ALL_WORDS = frozenset().union(*_CHANNEL_WORDS.values(), _EVERY_CHANNEL_WORDS)
# Words that may stand between a refusal and the channel: "don't *send me any confirmation*
# email", "no *more* texts", "don't *bother with an* email".
_BRIDGE = frozenset(
    "send sending sent me us any an a the more further another confirmation confirmations "
    "receipt please pls plz bother with by via over through to of my your anything get "
    "receive be need needed needs for extra follow-up followup push separate e d' de me mir "
    "mich m' un une des".split()
)
_ONE_CHANNEL = "|".join(sorted((re.escape(w) for w in _ALL_WORDS), key=len, reverse=True))
# A channel or a list of them: "texts or emails", "calls, texts and emails".
_ALL_CHANNELS = (
    rf"(?:{_ONE_CHANNEL})(?:\s*(?:,|/|&|\bor\b|\band\b|\bnor\b|\boder\b|\bund\b|\bni\b|"
    rf"\bo\b|\bou\b)\s*(?:any\s+|no\s+)?(?:{_ONE_CHANNEL})\b)*"
)
_ONE = re.compile(rf"\b(?:{_ONE_CHANNEL})\b")
_BRIDGE_WORDS = "|".join(sorted((re.escape(w) for w in _BRIDGE), key=len, reverse=True))
_BRIDGE_RUN = rf"(?:(?:{_BRIDGE_WORDS})\s+){{0,5}}?"
# A refusal that states a preference, not a report of the past. "never" counts only where it
# opens the clause or follows "please" ("never email me"), not in "you never emailed me".
_FRAMES = (
    # "don't email me", "please do not send an email", "dont send me any emails", "stop emailing"
    rf"(?:\b(?:do not|don't|dont|no need to|stop|quit|pls don't|please don't)\s+{_BRIDGE_RUN})"
    rf"(?P<a>{_ALL_CHANNELS})\b",
    rf"(?:(?:^|[,.;:!?]\s*|\bplease\s+|\band\s+|\bbut\s+)never\s+{_BRIDGE_RUN})(?P<b>{_ALL_CHANNELS})\b",
    # "I don't want any emails", "I'd rather not get texts", "I do not need a confirmation email"
    rf"(?:\b(?:i|we)\s+(?:don't|dont|do not)\s+(?:want|need|like)\s+{_BRIDGE_RUN})"
    rf"(?P<c>{_ALL_CHANNELS})\b",
    rf"(?:\b(?:i'd|i would|id)\s+rather\s+(?:not|you didn't|you did not)\s+{_BRIDGE_RUN})"
    rf"(?P<d>{_ALL_CHANNELS})\b",
    # "without an email", "no emails please", "no more texts", "no need for an email"
    rf"\bwithout\s+{_BRIDGE_RUN}(?P<e>{_ALL_CHANNELS})\b",
    rf"\bno\s+(?:more\s+|further\s+|need\s+for\s+(?:an?\s+|any\s+)?|extra\s+)?(?:confirmation\s+)?"
    rf"(?P<f>{_ALL_CHANNELS})\b(?!\s+(?:came|come|comes|arrived|has|have|had|was|were|yet|"
    rf"received|from|at all|ever|either|showed|shows|turned))",
    # German, Spanish, French, Italian: "keine E-Mails", "sin correo", "pas de mail",
    # "niente email"
    rf"\b(?:keine|keinen|ohne|sin|ningun|ninguna|pas\s+de|pas\s+d'|sans|niente|nessuna)\s+"
    rf"(?:weitere[n]?\s+|mehr\s+|plus\s+de\s+)?(?P<g>{_ALL_CHANNELS})\b",
    r"\bno\s+(?:me\s+)?(?:manden|envien|envies|mandes|mande|envie)\s+(?:ningun\s+|mas\s+)?"
    r"(?P<h>correos?|emails?|mensajes|sms)\b",
    r"\bne\s+m'?\s*(?:envoyez|envoie|envoyer)\s+pas\s+(?:de\s+|d')?(?P<i>mails?|e-mails?|courriels?|sms)\b",
)
_PATTERN = re.compile("|".join(f"(?:{frame})" for frame in _FRAMES))
# "don't text me, but email is fine" / "no texts, email only": a channel explicitly welcomed.
_WELCOMED = re.compile(
    rf"\b(?P<w>{_ALL_CHANNELS})\s+(?:is|are|'s)\s+(?:fine|ok|okay|good|great|better)\b"
    rf"|\b(?P<o>{_ALL_CHANNELS})\s+only\b|\bonly\s+(?:by\s+|via\s+)?(?P<p>{_ALL_CHANNELS})\b"
)


def _channels_of(word: str) -> frozenset[str]:
    if word in _EVERY_CHANNEL_WORDS:
        return EVERY_CHANNEL
    return frozenset(channel for channel, words in _CHANNEL_WORDS.items() if word in words)


def _normalised(text: str) -> str:
    text = fold(text).lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"\be[\s-]?mail", "email", text)  # "e mail", "E-Mail"
    return re.sub(r"\s+", " ", text)


def declined_channels(text: str) -> frozenset[str]:
    """The channels the text asks us not to use: a subset of `EVERY_CHANNEL`, usually empty."""
    lowered = _normalised(text)
    declined: set[str] = set()
    for match in _PATTERN.finditer(lowered):
        listed = next(group for group in match.groups() if group)
        for word in _ONE.findall(listed):
            declined |= _channels_of(word)
    if not declined:
        return frozenset()
    for match in _WELCOMED.finditer(lowered):
        word = next(group for group in match.groups() if group)
        declined -= _channels_of(word)
    return frozenset(declined)
