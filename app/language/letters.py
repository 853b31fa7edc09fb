"""A message written as a letter, without its frame: "Dear Sir/Madam," above and "Yours
faithfully, Margaret Ashworth (Mrs)" below say nothing of what is asked, but in the sentence
embedding a formal frame weighs as much as the request it holds, and pulls a letter insisting on
a refund towards "not a request"."""

from __future__ import annotations

import re

_OPENING = re.compile(
    r"^\s*(?:(?:dear|hello|hi|hey|good (?:morning|afternoon|evening)|greetings|to whom it may "
    r"concern|attn|attention)\b[^\n.!?]{0,40}?(?:,|:|\n)|to whom it may concern\b[^\n]{0,10})\s*",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"(?:^|\n|(?<=[.!?])\s+)\s*(?:yours (?:faithfully|sincerely|truly)|sincerely|faithfully|"
    r"(?:kind|best|warm|many)(?: regards| thanks| wishes)?|regards|with thanks|thanks in advance|"
    r"thank you in advance|respectfully|cordially)\b[\s\S]{0,120}$",
    re.IGNORECASE,
)


def without_letter_frame(message: str) -> str:
    """The message without a salutation line and a sign-off at its end; itself when that would
    leave nothing."""
    body = _CLOSING.sub("", _OPENING.sub("", message, count=1), count=1).strip()
    return body or message
