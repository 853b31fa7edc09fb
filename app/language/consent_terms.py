"""The terms a reply to a proposal is read against: what a "yes" would write.

The consent reader never decides on words alone: an amount, order, item or outcome the reply
names is compared with these terms, and anything that is not the proposal's own is not consent
to it. The agent builds them from its `Proposal` and the order's facts; the eval parses them
from the text the customer saw, which names the same order, amount and items.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.language.mentions import read_mentions
from app.language.signatory import signatory_of

ConsentAction = Literal["refund", "return"]

# "1 x Wool Slippers (SKU-1234-A)" as replies.proposal_text renders an item line.
_ITEM_LINE = re.compile(
    r"(\d+)\s*x\s+([^,(.…]+?)(?:\s*\((SKU-[0-9A-Z-]+)\))?(?=,|\.|…|$| and | on order )"
)


_NOT_RECEIVED = re.compile(
    r"delivery dispute|didn't receive|did not receive|not received|never arrived|delivery failed"
)


class ProposalTerms(BaseModel):
    model_config = ConfigDict(frozen=True)

    action: ConsentAction
    order_id: str
    # None: a proposal that moves no money (a free replacement); any amount said is a change.
    amount: float | None = Field(default=None, gt=0)
    currency: str = "USD"
    item_names: tuple[str, ...] = ()
    quantities: tuple[int, ...] = ()
    # The proposed order's own AWBs: naming one is naming the proposed order.
    awbs: tuple[str, ...] = ()
    # Item names the customer has on their *other* orders or lines: naming one is a change.
    other_item_names: tuple[str, ...] = ()
    # The proposal rests on the parcel never having reached the customer (a delivery dispute or
    # a failed delivery): a reply saying it has turned up takes the ground from under it.
    not_received: bool = False
    # The words of the proposal as the customer read it: a reply may echo them back in surprise
    # ("Returned to sender?", "Smith??") before answering.
    said_words: tuple[str, ...] = ()
    # Who the carrier says signed for the parcel ("signed for by H. Fischer"), as the proposal
    # named them: the reply reads them as "the signer" (`signatory`).
    signatory: str | None = None

    @classmethod
    def from_text(cls, text: str) -> ProposalTerms:
        """Parse the terms from the proposal as the customer read it (used by the eval)."""
        mentions = read_mentions(text)
        if not mentions.order_ids:
            raise ValueError("the proposal names no order")
        order_id = sorted(mentions.order_ids)[0]
        # The first amount named is the proposed one ("you asked for $X" comes after it when
        # the amount was capped: "The most that can still be refunded ... is $Y (you asked...").
        amount = mentions.amounts[0] if mentions.amounts else None
        items = [
            (int(m.group(1)), m.group(2).strip()) for m in _ITEM_LINE.finditer(text) if m.group(2)
        ]
        # "I can start a return ... for 1 x ..." is a return; "This is for 1 x ... nothing else.
        # I can refund ..." (a part of the order) is a refund that names its lines.
        lowered = text.lower()
        # Only the return's own sentence: "shows it as returned to sender, so I can refund" is
        # a refund.
        started_return = re.search(r"\bstart(?:ing)? (?:a|the) return\b", lowered) is not None
        action: ConsentAction = (
            "return" if started_return or (items and "can refund" not in lowered) else "refund"
        )
        return cls(
            said_words=words_of(text),
            signatory=signatory_of(text),
            not_received=bool(_NOT_RECEIVED.search(lowered)),
            action=action,
            order_id=order_id,
            amount=amount,
            item_names=tuple(name for _, name in items),
            quantities=tuple(q for q, _ in items),
        )


def words_of(text: str) -> tuple[str, ...]:
    """The distinct words of a proposal's text, lower-cased, for `ProposalTerms.said_words`."""
    return tuple(sorted(set(re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower()))))
