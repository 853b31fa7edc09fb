"""An outcome asked for in so many words: "I want to return it", "could I send the wellies
back?", "I must insist upon a full refund".

The ask head (reasons.py) reads meaning from a sentence embedding, and in a long or formal
message the request is one clause among many: "I wonder if you might let me send the wellies
back?" once read as no request at all, "i want to return, so ele" too. A clause in request form
that names exactly one outcome says what is asked; structure can read that, as it reads ids and
amounts. It only ever fills in an ask the heads left open (none or unstated): it never overrides
an outcome they read, and the customer still confirms the exact terms before anything is
written. A question about the rules ("can I return it if …", "how do I send it back") is not a
request, and a negated one ("I don't want to send it back") names nothing.
"""

from __future__ import annotations

import re

from app.language.reasons import Ask

_SUBJECT = r"(?:i|we)"
# "I hereby formally request", "I would respectfully ask".
_ADVERBS = r"(?:(?:hereby|formally|respectfully|kindly|really|therefore|now|also)\s+)*"
_WANT = (
    rf"(?:(?:{_SUBJECT}\s*(?:would|'d|should|shall)|id)\s+(?:like|love|prefer|be grateful)\s+"
    rf"(?:to\s+|if\s+"
    rf"(?:you\s+(?:could|would|might)\s+)?(?:let\s+me\s+|allow\s+me\s+to\s+)?)?"
    rf"|{_SUBJECT}\s+(?:must\s+|really\s+|still\s+|just\s+)?(?:want|wanna|need|wish|intend|hope|am\s+hoping|insist)\s+(?:to\s+|on\s+|upon\s+)?"
    rf"|(?:can|could|may|might)\s+{_SUBJECT}\s+(?:please\s+|just\s+|still\s+)?"
    rf"|(?:chance|hoping|hope)\s+{_SUBJECT}\s+(?:can|could|may|might)\s+(?:please\s+|just\s+|still\s+)?"
    rf"|(?:can|could|would)\s+(?:you|ya|ye|u)\s+(?:please\s+)?(?:let\s+me\s+|allow\s+me\s+to\s+)?"
    rf"|i\s+wonder\s+if\s+(?:you\s+(?:might|could|would)\s+(?:let\s+me\s+)?|i\s+(?:might|could)\s+)"
    rf"|(?:let|allow)\s+me\s+(?:to\s+)?"
    rf"|please\s+|kindly\s+|pls\s+|plz\s+"
    rf"|{_SUBJECT}\s+{_ADVERBS}(?:request|demand|ask\s+for|expect)\s+(?:that\s+)?)"
)
_RETURN = (
    r"(?:return|start\s+a\s+return"
    r"|send\s+(?:(?:it|them|this|these|those|the|my|both|back)\s+)?(?:[a-z']+\s+){0,3}?back)"
)
_REFUND = (
    r"(?:(?:get|have|receive|be\s+given)\s+)?(?:a\s+|my\s+|the\s+|an?\s+|o\s+|um\s+)?(?:full\s+|partial\s+)?"
    r"(?:refund|money\s+back|reimburse(?:ment)?|refunded|reimbursed)"
    r"|refund\s+(?:me|it|them|the|my)"
)
# "send me another one", "can ya send the thongs I actually paid for", "pop a new one in the
# post": the goods again, not the money.
_REPLACEMENT = (
    r"(?:send|post|ship|give|get|pop|pit|put|mail)\s+(?:me\s+|us\s+|out\s+)?"
    r"(?:another|a\s+new|a\s+replacement|a\s+fresh|new\s+ones?|the\s+(?:correct|right)|"
    r"the\s+[a-z']+(?:\s+[a-z']+)?\s+(?:i|we)\s+(?:actually\s+)?(?:paid\s+for|ordered)|"
    r"a\s+(?:bigger|smaller|larger|different)\s+(?:size|one)|a\s+replacement)"
    r"|replace\s+(?:it|them|this|the)|exchange\s+(?:it|them|this|the|for)|a\s+replacement"
    r"|(?:the\s+)?(?:correct|right)\s+(?:article|item|one|size)\s+be\s+(?:supplied|sent)"
)
_ASKED = {
    Ask.RETURN: re.compile(rf"\b{_WANT}(?:to\s+)?{_RETURN}\b"),
    Ask.REFUND: re.compile(rf"\b{_WANT}(?:to\s+)?(?:{_REFUND})\b"),
    # An imperative at the clause's start is a request too: "send a replacement rail please".
    Ask.REPLACEMENT: re.compile(rf"(?:^\s*|\b{_WANT}(?:to\s+)?)(?:{_REPLACEMENT})\b"),
}
_NEGATED = re.compile(
    r"\b(?:not|don't|dont|do not|never|no|won't|wouldn't|rather not)\s+(?:\w+\s+){0,2}$"
)
# A question about the rules, not a request: "can I return it if it's been worn?", "how do I
# send it back".
_RULE_QUESTION = re.compile(r"\b(?:if|whether|how|policy|allowed|permitted|possible)\b")
_ASKS_ABOUT = re.compile(r"\b(?:how|whether|if|know|policy)\b(?!\s+you\s+(?:might|could|would))")
_CLAUSES = re.compile(r"[.!?;\n]+|,\s+(?:but|and|so)\s+|\s+but\s+")


def asked_outcome(text: str) -> Ask | None:
    """The one outcome a clause of `text` asks for in request form; None when none or two."""
    found: set[Ask] = set()
    for clause in _CLAUSES.split(text.lower().replace("’", "'")):
        for ask, pattern in _ASKED.items():
            for match in pattern.finditer(clause):
                before, after = clause[: match.start()], clause[match.end() :]
                if _NEGATED.search(before) or _RULE_QUESTION.search(after.split(",")[0]):
                    continue
                if _ASKS_ABOUT.search(before):
                    continue
                found.add(ask)
    return found.pop() if len(found) == 1 else None
