"""Scenarios in voices the dev set does not have, kept apart to be measured, not fitted.

    python -m evals.scenario_unseen   # writes evals/data/scenarios_unseen.jsonl

Written by hand in one sitting before any tuning of the case reader for this round, in seven
voices absent from the dev set (chatty, sms, formal, dictated (voice-to-text, no punctuation),
caps, elderly, sarcastic), over the same households and rules as evals/scenario_authoring.py.
The figure it gives is a "first look" at language nobody tuned for; fixing a line of it one by
one would make it one more dev set.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from evals.scenario_authoring import (
    BAG,
    BOTTLE,
    DANA,
    DISPUTE,
    FAILED,
    JACKET,
    KENJI,
    LAMP,
    LAMP_HEAD,
    LUCIA,
    MO,
    MUG,
    PRIYA,
    SCARF,
    SOCKS,
    TOMASZ,
    camping,
    city,
    gifts,
    household,
    refund,
    ret,
    scenario,
    write_scenarios_main,
)

OUT = Path(__file__).resolve().parent / "data" / "scenarios_unseen.jsonl"


def unseen_scenarios() -> list[dict[str, Any]]:
    dana, priya = household(DANA, camping()), household(PRIYA, camping())
    kenji, tom = household(KENJI, city()), household(TOMASZ, city())
    lucia, mo = household(LUCIA, gifts()), household(MO, gifts())
    po, lr, co = "partial orders", "lost receipt", "counter-offers"
    qy, qn = "question-then-yes", "question-then-no"
    st, ni = "status-then-dispute", "item without an order number"
    rows = [
        # ------------------------------------------------------------ partial orders
        scenario(
            "partial-headlamp-chatty",
            po,
            "chatty",
            dana,
            [
                "ok so funny story, the box from ORD-7204418 arrived, mug is there, sleeping bag "
                "is there, but no sign of the headlamp anywhere. can you refund me for that bit?",
                "yes",
            ],
            refunds=[refund(dana, "ORD-7204418", DISPUTE, 1, skus=[LAMP_HEAD])],
        ),
        scenario(
            "partial-mug-dictated",
            po,
            "dictated",
            priya,
            [
                "hi my order ORD-7204418 came but the mug was not in it can I get the money back "
                "for the mug please",
                "yes go ahead",
            ],
            refunds=[refund(priya, "ORD-7204418", DISPUTE, 1, skus=[MUG])],
        ),
        scenario(
            "partial-return-socks-sms",
            po,
            "sms",
            dana,
            ["ORD-7204502 - wanna send back the socks only, jacket's a keeper", "yep"],
            returns=[ret("ORD-7204502", [SOCKS], 1)],
        ),
        scenario(
            "partial-return-two-formal",
            po,
            "formal",
            lucia,
            [
                "Dear team, regarding order ORD-7420093: I would like to return the insulated "
                "water bottle and the wool scarf. The lip balms I shall keep.",
                "Yes, please proceed.",
            ],
            returns=[ret("ORD-7420093", [BOTTLE, SCARF], 1)],
        ),
        scenario(
            "partial-all-but-mug-caps",
            po,
            "caps",
            priya,
            ["RETURN EVERYTHING FROM ORD-7204418 EXCEPT THE MUG", "YES"],
            returns=[ret("ORD-7204418", [BAG, LAMP_HEAD], 1)],
        ),
        scenario(
            "partial-one-pair-elderly",
            po,
            "elderly",
            dana,
            [
                "Good morning. From order ORD-7204502 I should like to return one of the two "
                "pairs of socks, if that is possible.",
                "Yes please, thank you dear.",
            ],
            returns=[ret("ORD-7204502", [SOCKS], 1)],
        ),
        # ------------------------------------------------------------ lost receipt
        scenario(
            "receipt-scarf-chatty",
            lr,
            "chatty",
            kenji,
            [
                "so I binned the receipt ages ago, oops, but honestly the wool scarf just isn't "
                "my colour, can I still send it back?",
                "sure, yes",
            ],
            returns=[ret("ORD-7311025", [SCARF], 1)],
        ),
        scenario(
            "receipt-lamp-sms",
            lr,
            "sms",
            tom,
            ["no receipt lol. want 2 return the desk lamp", "ya"],
            returns=[ret("ORD-7311187", [LAMP], 1)],
        ),
        scenario(
            "receipt-bottle-formal",
            lr,
            "formal",
            lucia,
            [
                "I regret that I no longer have the receipt for my purchase. I would nonetheless "
                "like to return the insulated water bottle.",
                "Yes, please do.",
            ],
            returns=[ret("ORD-7420093", [BOTTLE], 1)],
        ),
        scenario(
            "receipt-jacket-dictated",
            lr,
            "dictated",
            dana,
            ["i lost my receipt for the rain jacket can i still return it", "yes"],
            returns=[ret("ORD-7204502", [JACKET], 1)],
        ),
        scenario(
            "receipt-question-elderly",
            lr,
            "elderly",
            mo,
            ["Do I need to keep the receipt if I want to send something back later on?"],
        ),
        # ------------------------------------------------------------ counter-offers
        scenario(
            "counter-forty-sarcastic",
            co,
            "sarcastic",
            kenji,
            [
                "great, ORD-7311452 never showed up. love that for me",
                "tell you what, make it $40 and we're square",
                "yes",
            ],
            refunds=[refund(kenji, "ORD-7311452", DISPUTE, 2, amount=40.0)],
        ),
        scenario(
            "counter-only-jacket-chatty",
            co,
            "chatty",
            dana,
            [
                "hiya, ORD-7204502 never arrived, could I get a refund please",
                "oh wait, actually only the jacket is missing, the socks came in a separate "
                "envelope",
                "yes",
            ],
            refunds=[refund(dana, "ORD-7204502", DISPUTE, 2, skus=[JACKET])],
        ),
        scenario(
            "counter-then-no-sms",
            co,
            "sms",
            lucia,
            ["ORD-7420201 late, refund pls", "can u make it 25", "nah forget it ill wait"],
            asks_for_write=True,
        ),
        scenario(
            "counter-two-items-dictated",
            co,
            "dictated",
            priya,
            [
                "order ORD-7204418 never arrived",
                "not the whole thing just the mug and the headlamp the sleeping bag came",
                "yes",
            ],
            refunds=[refund(priya, "ORD-7204418", DISPUTE, 2, skus=[MUG, LAMP_HEAD])],
        ),
        # ------------------------------------------------------------ question, then yes / no
        scenario(
            "qyes-headphones-chatty",
            qy,
            "chatty",
            kenji,
            [
                "my headphones order ORD-7311240 never turned up, can I get my money back",
                "how long does that usually take to land in my account?",
                "ok great, yes do it",
            ],
            refunds=[refund(kenji, "ORD-7311240", DISPUTE, 2)],
        ),
        scenario(
            "qyes-jacket-formal",
            qy,
            "formal",
            dana,
            [
                "I would like to return the rain jacket from order ORD-7204502; it does not fit.",
                "Will I need to pay for the return postage?",
                "Very well. Yes, please proceed.",
            ],
            returns=[ret("ORD-7204502", [JACKET], 2)],
        ),
        scenario(
            "qyes-shoes-dictated",
            qy,
            "dictated",
            tom,
            [
                "the shoes from order ORD-7311452 never arrived can you refund me",
                "is that the full price",
                "yes",
            ],
            refunds=[refund(tom, "ORD-7311452", DISPUTE, 2)],
        ),
        scenario(
            "qno-lost-sms",
            qn,
            "sms",
            lucia,
            ["ORD-7420158 lost? refund", "do i get the full 36?", "nah leave it"],
            asks_for_write=True,
        ),
        scenario(
            "qno-scarf-elderly",
            qn,
            "elderly",
            mo,
            [
                "Hello dear, the scarf from order ORD-7420093 is not quite what I expected and I "
                "should like to send it back.",
                "Would the money go back onto my card?",
                "On reflection, no, I shall keep it. Thank you.",
            ],
            asks_for_write=True,
        ),
        scenario(
            "qno-shoes-caps",
            qn,
            "caps",
            tom,
            [
                "ORD-7311452 NEVER ARRIVED. REFUND.",
                "DOES THAT INCLUDE THE SHIPPING??",
                "NO. FORGET IT THEN.",
            ],
            asks_for_write=True,
        ),
        # ------------------------------------------------------------ status, then dispute
        scenario(
            "status-porch-chatty",
            st,
            "chatty",
            kenji,
            [
                "heya, could you check where ORD-7311025 is?",
                "hmm it says delivered but there's nothing on my porch, can I get a refund?",
                "yes",
            ],
            refunds=[refund(kenji, "ORD-7311025", DISPUTE, 2)],
        ),
        scenario(
            "status-sms",
            st,
            "sms",
            dana,
            ["wheres ORD-7204418", "not here tho. refund", "yes"],
            refunds=[refund(dana, "ORD-7204418", DISPUTE, 2)],
        ),
        scenario(
            "status-late-formal",
            st,
            "formal",
            lucia,
            [
                "Could you please tell me the status of order ORD-7420201?",
                "In that case I would prefer a refund.",
                "Yes.",
            ],
            refunds=[refund(lucia, "ORD-7420201", FAILED, 2)],
        ),
        scenario(
            "status-caps",
            st,
            "caps",
            tom,
            [
                "WHERE IS ORD-7311240",
                "IT SAYS DELIVERED. IT IS NOT HERE. I WANT MY MONEY BACK",
                "YES",
            ],
            refunds=[refund(tom, "ORD-7311240", DISPUTE, 2)],
        ),
        # ------------------------------------------------------------ item, no order number
        scenario(
            "noid-headlamp-chatty",
            ni,
            "chatty",
            priya,
            [
                "hey so the headlamp I ordered never made it to me, everything else did though",
                "yes",
            ],
            refunds=[refund(priya, "ORD-7204418", DISPUTE, 1, skus=[LAMP_HEAD])],
        ),
        scenario(
            "noid-lamp-formal",
            ni,
            "formal",
            kenji,
            [
                "I wish to return the desk lamp I purchased recently; it arrived with a cracked "
                "base.",
                "Yes, please.",
            ],
            returns=[ret("ORD-7311187", [LAMP], 1)],
        ),
        scenario(
            "noid-shoes-two-orders-sarcastic",
            ni,
            "sarcastic",
            tom,
            ["oh wonderful, the running shoes never came. shocking. refund?"],
            asks_for_write=True,
        ),
        scenario(
            "noid-socks-sms",
            ni,
            "sms",
            lucia,
            ["my socks never came, refund pls", "yes"],
            refunds=[refund(lucia, "ORD-7420158", FAILED, 1)],
        ),
        scenario(
            "noid-bottle-dictated",
            ni,
            "dictated",
            mo,
            ["the water bottle arrived all dented can i send it back", "yes please"],
            returns=[ret("ORD-7420093", [BOTTLE], 1)],
        ),
    ]
    for row in rows:
        row["id"] = "unseen-" + row["id"].removeprefix("hand-")
    return rows


def main(argv: list[str] | None = None) -> int:
    return write_scenarios_main(argv, __doc__ or "", OUT, unseen_scenarios)


if __name__ == "__main__":
    sys.exit(main())
