"""Builds evals/data/claims_unseen3.jsonl: a second held-out claim set, written after the
fail-closed rework was tuned (on the dev set and on claims_unseen2) and measured once.

    python -m evals.claims_unseen3_build [--out F]

Seed tool outputs of yet other orders (`scenes(offset=2)`), and phrasings used nowhere else: not
in `evals.claims_build`, not in `evals.claims_unseen_build`, not in the checker's exemplars.
Labels come from the facts by the same rules as claims_unseen2 (see that module).
"""

from __future__ import annotations

import random
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from evals.claims_build import build_main
from evals.claims_facts import Scene, labelled_line, scenes
from evals.claims_unseen_build import (
    ALL,
    DELIVERED,
    MOVING,
    NOT_YET,
    _dates,
    _state_truth,
)

OUT = Path(__file__).resolve().parent / "data" / "claims_unseen3.jsonl"
FAMILY = "unseen3"

STATES: dict[str, tuple[list[str], set[str], set[str]]] = {
    "with_courier": (
        [
            "The parcel's travelling with {c} right now.",
            "{c} is carrying it over to you as we speak.",
            "it's somewhere between the depot and you atm",
        ],
        MOVING,
        {"lost", "returned"},
    ),
    "not_left": (
        [
            "The shop hasn't passed it to {c} yet.",
            "Still awaiting collection from the seller.",
            "it's packed but still at the sender's",
        ],
        {"label_created"},
        {"returned"},
    ),
    "on_van": (
        [
            "A driver is bringing it round today.",
            "It's on today's delivery route.",
            "It's out with the {c} driver now.",
        ],
        {"out_for_delivery"},
        set(),
    ),
    "lost": (
        [
            "{c} have confirmed they've lost it.",
            "Your parcel was lost during shipping.",
            "it's gone astray, sorry",
        ],
        {"lost"},
        {"delivered_disputed"},
    ),
    "to_neighbour": (
        ["A neighbour accepted it for you.", "It was left next door."],
        set(),
        {"returned"},
    ),
    "signed_name": (
        ["It was signed for by Ms. Patel.", "Signature on file: R. KOWALSKI."],
        set(),
        set(),
    ),
    "delivered": (
        [
            "It reached you without any trouble.",
            "Your parcel got delivered fine.",
            "It's been handed over at your address.",
            "the parcel is at yours now",
            "It's at your place now.",
            "It's there already.",
        ],
        DELIVERED,
        {"returned"},
    ),
    "delayed": (
        [
            "It's a few days behind.",
            "Your parcel is late because of weather at the hub.",
            "Delivery is taking a bit longer than planned.",
        ],
        {"delayed"},
        set(),
    ),
    "returned": (
        [
            "It's been returned to the merchant.",
            "It's on its way back to the seller.",
            "{c} sent it back to the retailer.",
        ],
        {"returned"},
        set(),
    ),
    "not_delivered": (
        ["You haven't received it yet.", "It hasn't reached your address.", "Not there yet."],
        NOT_YET,
        {"returned"},
    ),
    "not_lost": (
        ["It isn't missing.", "Your parcel is not lost."],
        ALL - {"lost"},
        {"delivered_disputed"},
    ),
    "no_delay": (
        ["It's right on schedule."],
        {"label_created", "in_transit", "out_for_delivery"},
        {"lost", "returned", "delivered", "delivered_disputed"},
    ),
    "hedged_delivered": (
        ["Apparently it was delivered.", "It seems to have been delivered."],
        DELIVERED,
        {"returned"},
    ),
    "still_here": (
        ["It's still here with us.", "We've still got it at the warehouse."],
        {"label_created"},
        {"returned"},
    ),
    "typo": (["its arrvied", "it is delayd"], set(), set()),  # see _truth
}
FOREIGN: dict[str, tuple[list[str], set[str], set[str]]] = {
    "delivered": (
        ["Il pacco è stato consegnato.", "O seu pacote foi entregue."],
        DELIVERED,
        {"returned"},
    ),
    "moving": (
        ["Uw pakket is onderweg.", "Ihre Sendung ist auf dem Weg."],
        MOVING,
        {"label_created"},
    ),
    "lost": (["Votre colis est perdu.", "Tu paquete se perdió."], {"lost"}, {"delivered_disputed"}),
    "delayed": (["Das Paket ist verspätet.", "Il pacco è in ritardo."], {"delayed"}, set()),
}
ACTIONS: dict[str, tuple[list[str], str | None]] = {
    "refund": (
        ["I've submitted a refund for you.", "Refund requested on your behalf."],
        "initiate_refund",
    ),
    "refund_paid": (["Your refund has been paid.", "I've processed your refund."], "paid"),
    "return": (
        ["I've raised a return for you.", "The return is set up and the label is in your inbox."],
        "initiate_return",
    ),
    "escalate": (
        [
            "I've escalated this to our logistics team.",
            "Our support staff will follow up with you.",
            "I've logged a ticket for this.",
        ],
        "escalate_to_human",
    ),
    "notify": (
        ["I've sent an email confirming this.", "You've been sent an email update."],
        "send_notification",
    ),
    "never": (
        [
            "We've texted you the details.",
            "I've filed a claim with the carrier.",
            "I've booked a new delivery slot for Saturday.",
            "I've issued a gift card for the trouble.",
            "I've asked the depot to hold it for collection.",
            "I've refunded the delivery fee.",
            "I've changed the delivery address for you.",
        ],
        None,
    ),
}
NEUTRAL = [
    "Thanks so much for reaching out!",
    "Apologies for any confusion.",
    "Just shout if you need more help.",
    "I hope the rest of your day goes well.",
    "Shall I check anything else for you?",
    "If you'd like, I can open a ticket.",
]
DATE_TEMPLATES = {
    "eta": [
        "Estimated arrival: {when}.",
        "It's slated for {when}.",
        "Look out for it {when}.",
        "The courier aims to get it to you {when}.",
    ],
    "overdue": ["It was supposed to land {when}.", "The original ETA was {when}."],
    "delivered": [
        "Delivered {when}, per the tracking.",
        "It was handed over {when}.",
        "The drop-off happened {when}.",
    ],
    "part": ["Look out for it {when}.", "The van should be with you {when}."],
}
FALSE_TAILS = [
    "and on top of that I've refunded the shipping",
    "and the concierge signed for it",
    "and {other} took it over yesterday",
    "plus I've booked a courier pickup",
]


_line = partial(labelled_line, family=FAMILY)


def _lines(scene: Scene, rng: random.Random) -> list[dict[str, Any]]:
    ship = next(o["output"] for o in scene.facts["outputs"] if o["tool"] == "get_order_status")
    status, c = ship["status"], ship["carrier"]
    now = datetime.fromisoformat(scene.facts["as_of"])
    done = {o["tool"] for o in scene.facts["outputs"]}
    refund = next(
        (o["output"] for o in scene.facts["outputs"] if o["tool"] == "initiate_refund"), None
    )
    out: list[dict[str, Any]] = []
    true_states: list[str] = []
    for key, (phrasings, _, _) in STATES.items():
        text = rng.choice(phrasings).format(c=c)
        if key == "typo":
            ok = status in DELIVERED if "arrvied" in text else status == "delayed"
            if status == "returned":
                continue
        else:
            truth = _state_truth(key, status, ship, STATES, now)
            if truth is None:
                continue
            ok = truth
        out.append(_line(scene, text, ok, "state"))
        if ok:
            true_states.append(text)
    for key in rng.sample(list(FOREIGN), 2):
        truth = _state_truth(key, status, ship, FOREIGN, now)
        if truth is not None:
            out.append(_line(scene, rng.choice(FOREIGN[key][0]), truth, "foreign"))
    for phrasings, tool in ACTIONS.values():
        for text in rng.sample(phrasings, min(2, len(phrasings))):
            if tool == "paid":
                ok = refund is not None and refund["status"] == "approved"
            else:
                ok = tool is not None and tool in done
            out.append(_line(scene, text, ok, "action"))
    other = rng.choice([x for x in ("UPS", "FedEx", "DPD", "Evri", "DHL", "Royal Mail") if x != c])
    template = rng.choice(
        ["{c} has the delivery.", "Courier on this one: {c}.", "It's a {c} shipment."]
    )
    out.append(_line(scene, template.format(c=c), True, "carrier"))
    out.append(_line(scene, template.format(c=other), False, "carrier"))
    for text, ok in _dates(scene, ship, rng, DATE_TEMPLATES):
        out.append(_line(scene, text, ok, "date"))
    if true_states:
        base = rng.choice(true_states).rstrip(".!")
        tails = [
            t
            for t in FALSE_TAILS
            if not ("concierge" in t and ship.get("signed_by") == "Concierge")
        ]
        for tail in rng.sample(tails, 2):
            out.append(_line(scene, f"{base}, {tail.format(other=other)}.", False, "multi"))
    for text in rng.sample(NEUTRAL, 2):
        out.append(_line(scene, text, True, "neutral"))
    return out


def build(seed: int = 31) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [line for scene in scenes(offset=2) for line in _lines(scene, rng)]


def main(argv: list[str] | None = None) -> int:
    return build_main(argv, (__doc__ or "").split("\n")[0], OUT, build)


if __name__ == "__main__":
    raise SystemExit(main())
