"""The name the carrier recorded as signing for a parcel, as a reply to a proposal echoes it.

A delivery dispute's proposal names its signatory ("signed for by H. Fischer"), and the reply
nearly always talks about them: "I don't know any H. Fischer", "no one here is named Fischer",
"whoever K. Walsh is, he eh come by my gate". The name itself is no term of the deal, yet read
as it is written it breaks the reply in two at the initial's full stop ("I don't know M." /
"Okafor") and looks like a product ("the Fischer"). The reader therefore sees it as what it
is, "the signer", the way an order id of the proposal is read as "this order".
"""

from __future__ import annotations

import re

# "signed for by H. Fischer." / "signed for by R. Lewis, ..." as the proposal renders it.
_SIGNED_FOR_BY = re.compile(
    r"\bsigned for by\s+((?:[A-Za-z]\.\s*)*[^\s,.;:!?()]+(?:\s+[A-Z][^\s,.;:!?()]*)*)"
)
_INITIAL = re.compile(r"^[A-Za-z]\.?$")
STAND_IN = "the signer"
# Words after which a lower-case surname is the person: "know any fischer", "named walsh".
_PERSON_CONTEXT = r"any|no|named|called|know|knw|of|whoever|who|is|by|mr|mrs|ms|dis|this"
# A denial that the signer is anyone the customer knows: the stand-in beside a negator,
# "who"/"whoever" (never a question: a clause with "?" stays in the reading anyway), or a word
# for a stranger.
_DENIAL = re.compile(
    r"\b(?:no|not|never|nobody|noone|no-one|none|nor|neither|nothing|ain't|aint|isn't|isnt|"
    r"wasn't|wasnt|don't|dont|doesn't|doesnt|didn't|didnt|haven't|havent|hasn't|hasnt|"
    r"dunno|idk|who|whoever|whoeva|stranger|strangers|random|unknown)\b|n't\b"
)


# What carriers record instead of a person ("Parcel locker", "Reception", "Left at front door",
# "Customer"): words a reply uses for the parcel and the place, never to be read as a name.
_NOT_A_PERSON = frozenset(
    "customer recipient addressee reception receptionist front desk building staff parcel "
    "package locker left door porch neighbour neighbor concierge mailroom mail room post "
    "security guard office garage safe place back side gate lobby doorman resident household "
    "family member signature signed not required none unknown contactless photo delivered "
    "driver courier".split()
)


def signatory_of(proposal_text: str) -> str | None:
    """The person the proposal's text names as signing, or None when it names none, or names a
    place or a role instead ("signed for by Parcel locker")."""
    match = _SIGNED_FOR_BY.search(proposal_text)
    if match is None:
        return None
    name = match.group(1).strip(" .")
    words = re.findall(r"[A-Za-z]+", name.lower())
    if not name or any(w in _NOT_A_PERSON for w in words):
        return None
    return name


def _name(signatory: str) -> str | None:
    """A regex of the full name with its initial dotted or not ("H. Fischer", "H Fischer"), or
    of the surname alone, with an optional title before it ("Mr Fischer", "Mrs. Walsh")."""
    parts = signatory.replace(".", ". ").split()
    names = [p for p in parts if not _INITIAL.match(p)]
    if not names:
        return None
    initials = [p.rstrip(".") for p in parts if _INITIAL.match(p)]
    before = "".join(rf"(?:{re.escape(i)}\.?\s*)?" for i in initials)
    given = "".join(rf"(?:{re.escape(n)}\s+)?" for n in names[:-1])
    title = r"(?i:(?:(?:mr|mrs|ms|miss|dr)\.?\s+)?)"
    return rf"{title}{before}{given}{re.escape(names[-1])}\b"


def with_signer(reply: str, signatory: str | None) -> str:
    """The reply with every mention of the signatory read as "the signer"."""
    name = _name(signatory) if signatory else None
    if name is None:
        return reply
    # Carriers record names in capitals ("T. MOYO") and customers write them as names
    # ("Moyo?"). A surname that starts lower-case is the word, not the name ("a rose bush"),
    # unless the customer writes everything in lower case ...
    lower_case_reply = reply == reply.lower()
    read = re.sub(
        rf"\b{name}",
        lambda m: STAND_IN if lower_case_reply or m.group(0)[0].isupper() else m.group(0),
        reply,
        flags=re.IGNORECASE,
    )
    # ... or it stands where a person is spoken of: "i don't know any fischer", "named walsh".
    return re.sub(
        rf"\b({_PERSON_CONTEXT})\s+{name}",
        lambda m: f"{m.group(1)} {STAND_IN}",
        read,
        flags=re.IGNORECASE,
    )


def denies_signer(lowered_clause: str) -> bool:
    """Whether a lower-cased clause says the signer is nobody the customer knows."""
    return STAND_IN in lowered_clause and bool(_DENIAL.search(lowered_clause))
