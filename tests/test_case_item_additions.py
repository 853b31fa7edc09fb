"""A change to an open proposal that *adds* lines ("only if the backpack goes too") keeps the
lines already proposed; one that names a new set ("only the backpack") replaces them.
Found live on `make run`: the conditional yes replaced the slippers with the backpack."""

from __future__ import annotations

import pytest

from app.agents.negotiation.state import CaseRequest, Outcome
from app.agents.negotiation.understanding import case_from
from app.language.case import reading_from
from app.language.items import ItemPick
from app.language.named import read_named
from app.language.reasons import Ask, Gist, Reason
from tests.case_orders import summary_order

LINES = ["Wool Slippers", "Travel Backpack", "Insulated Water Bottle"]


def _case_after(reply: str) -> CaseRequest:
    orders = [summary_order("ORD-7311025", LINES)]
    gist = Gist(Reason.NONE, 0.9, Ask.RETURN, 0.9)
    open_case = CaseRequest(
        order_id="ORD-7311025", outcome=Outcome.RETURN, items=[ItemPick(name="Wool Slippers")]
    )
    return case_from(reading_from(reply, read_named(reply), gist, orders), open_case, orders)


@pytest.mark.parametrize(
    "reply",
    [
        "yes but only if the backpack goes too",
        "ok, and add the backpack as well",
        "can you also take back the backpack",
        "yes plus the backpack pls",
    ],
)
def test_an_added_line_joins_the_proposed_ones(reply: str) -> None:
    assert {p.name for p in _case_after(reply).items} == {"Wool Slippers", "Travel Backpack"}


@pytest.mark.parametrize(
    "reply", ["no, only the backpack", "actually just the backpack", "the backpack instead"]
)
def test_a_new_item_set_replaces_the_proposed_one(reply: str) -> None:
    assert _case_after(reply).items == [ItemPick(name="Travel Backpack")]
