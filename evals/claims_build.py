"""Builds evals/data/claims_dev.jsonl: real seed tool outputs, sentences in many voices.

    python -m evals.claims_build [--out F]

Each family is one writer's voice (plain, chatty lowercase with emoji, formal, terse,
non-native English, a small model's hedged style) with its own phrasings; unsupported
sentences are the subtle kind a model produces: the wrong day, the wrong carrier, a state
paraphrase that contradicts the facts, an invented refund or escalation, a wrong amount, and a
true sentence with one false clause added.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from evals.claims_facts import Scene, labelled_line, scenes

OUT = Path(__file__).resolve().parent / "data" / "claims_dev.jsonl"

# Phrasings of each state, per family. {c} = carrier.
STATE = {
    "plain": {
        "label_created": ["Your order has a shipping label and is waiting to be collected."],
        "moving": ["Your parcel is on its way.", "It's currently in transit with {c}."],
        "out_for_delivery": ["Good news: your parcel is out for delivery today."],
        "delayed": ["I'm sorry, your parcel is delayed."],
        "delivered": ["Your parcel was delivered.", "Our records show it has arrived."],
        "lost": ["I'm sorry, but your parcel has been declared lost."],
        "returned": ["Your parcel was returned to the sender."],
        "not_delivered": ["It hasn't been delivered yet."],
        "not_lost": ["Your parcel isn't lost."],
    },
    "chatty": {
        "label_created": ["ok so it's not been picked up yet, just the label so far 📦"],
        "moving": ["it's on the way!! 🚚", "yep it's with the courier rn"],
        "out_for_delivery": ["it's on the van for delivery today 🙌"],
        "delayed": ["ugh it's running a bit late, sorry 😕"],
        "delivered": ["it got there!! 🎉", "looks like it arrived already"],
        "lost": ["so sorry, looks like it went missing 😞"],
        "returned": ["hmm it got sent back to the sender"],
        "not_delivered": ["it hasn't arrived yet tbh"],
        "not_lost": ["don't panic, it's definitely not lost"],
    },
    "formal": {
        "label_created": ["The consignment has not yet been dispatched by the carrier."],
        "moving": [
            "I can confirm that the consignment is currently en route.",
            "The shipment is presently being transported by {c}.",
        ],
        "out_for_delivery": ["The consignment is out for delivery."],
        "delayed": ["Please accept our apologies: the shipment has been delayed."],
        "delivered": ["I can confirm the consignment was delivered successfully."],
        "lost": ["Regrettably, the carrier has declared the consignment lost."],
        "returned": ["The shipment has been returned to the sender."],
        "not_delivered": ["The consignment has not been delivered at this time."],
        "not_lost": ["The consignment has not been lost."],
    },
    "terse": {
        "label_created": ["Not shipped yet."],
        "moving": ["In transit.", "On its way."],
        "out_for_delivery": ["Out for delivery."],
        "delayed": ["Delayed."],
        "delivered": ["Delivered.", "It's arrived."],
        "lost": ["Lost, sorry."],
        "returned": ["Sent back to sender."],
        "not_delivered": ["Not delivered yet."],
        "not_lost": ["Not lost."],
    },
    "nonnative": {
        "label_created": ["Your package is still waiting to be picked up by carrier."],
        "moving": ["Your package is now on the way to you.", "The package is travelling to you."],
        "out_for_delivery": ["Package is with the driver for delivery today."],
        "delayed": ["Your package have some delay, sorry for this."],
        "delivered": ["Your package is already delivered.", "The package has arrived to you."],
        "lost": ["Sadly your package is missing, the carrier cannot be found it."],
        "returned": ["Your package was send back to the sender."],
        "not_delivered": ["The package is not delivered until now."],
        "not_lost": ["Your package is not lost."],
    },
    "smallmodel": {
        "label_created": ["Based on the tracking, a label has been created for your shipment."],
        "moving": [
            "According to the tracking information, your parcel is currently in transit.",
            "It looks like your package is making its way to you.",
        ],
        "out_for_delivery": ["Great news! Your package is out for delivery."],
        "delayed": ["It appears that your shipment is experiencing a delay."],
        "delivered": ["According to our records, your package has been delivered."],
        "lost": ["Unfortunately, it seems your package has been lost."],
        "returned": ["It seems the package is being returned to the sender."],
        "not_delivered": ["Your package has not been delivered yet."],
        "not_lost": ["Your package has not been lost."],
    },
}
FAMILIES = tuple(STATE)

# The phrasing keys that are true for a status; everything else is a contradiction.
TRUE_KEYS = {
    "label_created": {"label_created", "not_delivered", "not_lost"},
    "in_transit": {"moving", "not_delivered", "not_lost"},
    "out_for_delivery": {"moving", "out_for_delivery", "not_delivered", "not_lost"},
    "delayed": {"moving", "delayed", "not_delivered", "not_lost"},
    "delivered": {"delivered", "not_lost"},
    "delivered_disputed": {"delivered", "not_lost"},
    "lost": {"lost", "not_delivered"},
    "returned": {"returned", "not_lost"},
}
# Keys whose truth is arguable for a status (a returned parcel was once delivered): left out.
AMBIGUOUS = {
    "returned": {"delivered", "not_delivered", "moving"},
    "delivered_disputed": {"lost", "not_lost"},
    "lost": {"not_lost"},
    "label_created": {"moving"},
}

ETA_TRUE = {
    "plain": "It should arrive {when}.",
    "chatty": "should be with u {when} 🤞",
    "formal": "Delivery is expected {when}.",
    "terse": "ETA {when}.",
    "nonnative": "It will arrive to you {when}.",
    "smallmodel": "Your package is estimated to arrive {when}.",
}
DELIVERED_WHEN = {
    "plain": "It was delivered {when}.",
    "chatty": "it was dropped off {when} 👍",
    "formal": "The consignment was delivered {when}.",
    "terse": "Delivered {when}.",
    "nonnative": "The package was delivered {when}.",
    "smallmodel": "Your package was successfully delivered {when}.",
}
CARRIER = {
    "plain": "Your parcel's carrier is {c}.",
    "chatty": "carrier is {c} 🙂",
    "formal": "The carrier for this consignment is {c}.",
    "terse": "Carrier: {c}.",
    "nonnative": "The company for delivery is {c}.",
    "smallmodel": "Your package is being handled by {c}.",
}
SIGNED = {
    "plain": "It was signed for by {s}.",
    "chatty": "it was left with {s} btw",
    "formal": "The delivery was signed for by {s}.",
    "terse": "Signed by {s}.",
    "nonnative": "It was signed by {s} when delivered.",
    "smallmodel": "The tracking shows it was signed for by {s}.",
}
AMOUNT = {
    "plain": "Your order total was {a}.",
    "chatty": "ur order came to {a}",
    "formal": "The order total amounts to {a}.",
    "terse": "Total: {a}.",
    "nonnative": "The total of your order is {a}.",
    "smallmodel": "The total amount for your order is {a}.",
}
ACTION = {
    "refund": {
        "plain": "I've started a refund for you.",
        "chatty": "i went ahead and refunded u 💸",
        "formal": "I have initiated a refund on your behalf.",
        "terse": "Refund started.",
        "nonnative": "I make a refund for you already.",
        "smallmodel": "I have processed a refund for your order.",
    },
    "escalate": {
        "plain": "I've passed this to a colleague.",
        "chatty": "i've escalated it to the team!",
        "formal": "I have escalated your case to a specialist.",
        "terse": "Escalated.",
        "nonnative": "I have send your case to my colleague.",
        "smallmodel": "I have escalated this issue to our support team.",
    },
    "notify": {
        "plain": "I've sent you an email about it.",
        "chatty": "just emailed u the details ✉️",
        "formal": "A confirmation email has been sent to you.",
        "terse": "Email sent.",
        "nonnative": "I sent to you an email with details.",
        "smallmodel": "You will receive an email with the details shortly.",
    },
}
OFFER = {
    "plain": "If you'd like, I can start a refund request for it.",
    "chatty": "want me to pass it to a colleague?",
    "formal": "Should you wish, I can pass this to a colleague.",
    "terse": "Want a refund request?",
    "nonnative": "If you want, I can ask my colleague to help.",
    "smallmodel": "Would you like me to escalate this to a human agent?",
}
ADDED = {
    "plain": "{true} I've also started a refund for you.",
    "chatty": "{true} also it's lost lol",
    "formal": "{true} Furthermore, it was signed for by the concierge.",
    "terse": "{true} Refund issued.",
    "nonnative": "{true} Also the driver leave it at your door yesterday.",
    "smallmodel": "{true} It was delivered yesterday and it is also lost.",
}
OTHER_CARRIERS = ("UPS", "FedEx", "USPS", "Royal Mail", "DPD", "Evri", "DHL", "GLS", "PostNL")
OTHER_SIGNED = ("Front desk", "Neighbour", "Reception", "Parcel locker", "Building staff")


def _when(moment: datetime, now: datetime, zone: ZoneInfo, style: int) -> str:
    day = moment.astimezone(zone).date()
    today = now.astimezone(zone).date()
    delta = (day - today).days
    if style == 0 and delta in (-1, 0, 1):
        return {-1: "yesterday", 0: "today", 1: "tomorrow"}[delta]
    if style == 1 and abs(delta) <= 5 and delta != 0:
        return f"on {day.strftime('%A')}"
    if style == 2:
        return f"on {day.strftime('%B')} {day.day}"
    return f"on {day.day} {day.strftime('%b')}"


def _line(scene: Scene, sentence: str, ok: bool, family: str, kind: str) -> dict[str, Any]:
    return labelled_line(scene, sentence, ok, kind, family=family)


def _shipment(scene: Scene) -> dict[str, Any]:
    return next(o["output"] for o in scene.facts["outputs"] if o["tool"] == "get_order_status")


def _sentences(scene: Scene, family: str, rng: random.Random) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    ship = _shipment(scene)
    status = ship["status"]
    carrier = ship["carrier"]
    now = datetime.fromisoformat(scene.facts["as_of"])
    zone = ZoneInfo(scene.facts["timezone"])
    bank = STATE[family]
    skip = AMBIGUOUS.get(status, set())
    for key, phrasings in bank.items():
        if key in skip:
            continue
        phrase = rng.choice(phrasings).format(c=carrier)
        out.append(_line(scene, phrase, key in TRUE_KEYS[status], family, "state"))
    # Carrier: the right one and a wrong one.
    wrong = rng.choice([c for c in OTHER_CARRIERS if c != carrier])
    out.append(_line(scene, CARRIER[family].format(c=carrier), True, family, "carrier"))
    out.append(_line(scene, CARRIER[family].format(c=wrong), False, family, "carrier"))
    style = rng.randrange(4)
    if ship.get("eta") and status in ("in_transit", "out_for_delivery", "delayed", "label_created"):
        eta = datetime.fromisoformat(ship["eta"].replace("Z", "+00:00"))
        out.append(
            _line(
                scene,
                ETA_TRUE[family].format(when=_when(eta, now, zone, style)),
                True,
                family,
                "date",
            )
        )
        off = eta + timedelta(days=rng.choice((-2, -1, 1, 2)))
        out.append(
            _line(
                scene,
                ETA_TRUE[family].format(when=_when(off, now, zone, style)),
                False,
                family,
                "date",
            )
        )
    if ship.get("delivered_at") and status in ("delivered", "delivered_disputed"):
        at = datetime.fromisoformat(ship["delivered_at"].replace("Z", "+00:00"))
        out.append(
            _line(
                scene,
                DELIVERED_WHEN[family].format(when=_when(at, now, zone, style)),
                True,
                family,
                "date",
            )
        )
        off = at + timedelta(days=rng.choice((-3, -2, -1, 1, 2)))
        out.append(
            _line(
                scene,
                DELIVERED_WHEN[family].format(when=_when(off, now, zone, style)),
                False,
                family,
                "date",
            )
        )
    if ship.get("signed_by") and status in ("delivered", "delivered_disputed"):
        signed = ship["signed_by"]
        who = signed if signed.lower().startswith("left") else signed.lower()
        if not who.lower().startswith("left"):
            out.append(
                _line(scene, SIGNED[family].format(s=f"the {who}"), True, family, "signatory")
            )
        other = rng.choice([s for s in OTHER_SIGNED if s != signed]).lower()
        out.append(
            _line(scene, SIGNED[family].format(s=f"the {other}"), False, family, "signatory")
        )
    done = {o["tool"] for o in scene.facts["outputs"]}
    order = next(
        (o["output"] for o in scene.facts["outputs"] if o["tool"] == "get_order_details"), None
    )
    if order is not None:
        sign = {"USD": "$", "GBP": "£", "EUR": "€"}[order["currency"]]
        total = f"{order['total']:.2f}"
        wrong_total = f"{order['total'] + rng.choice((-5, 3, 10, 0.5)):.2f}"
        out.append(_line(scene, AMOUNT[family].format(a=f"{sign}{total}"), True, family, "amount"))
        out.append(
            _line(scene, AMOUNT[family].format(a=f"{sign}{wrong_total}"), False, family, "amount")
        )
    tool_of = {
        "refund": "initiate_refund",
        "escalate": "escalate_to_human",
        "notify": "send_notification",
    }
    for action, by_family in ACTION.items():
        out.append(_line(scene, by_family[family], tool_of[action] in done, family, "action"))
    if status in ("lost", "delayed", "delivered_disputed"):
        out.append(_line(scene, OFFER[family], True, family, "offer"))
    true_keys = [k for k in bank if k in TRUE_KEYS[status] and k not in skip]
    if true_keys:
        true = rng.choice(bank[rng.choice(true_keys)]).format(c=carrier)
        added = ADDED[family].format(true=true)
        # The added clause is false for this scene unless its facts say so (a refund written
        # this turn, a parcel that really is lost): those are left out, not mislabelled.
        refund_done = "initiate_refund" in done
        true_added = (family in ("plain", "terse") and refund_done) or (
            family == "chatty" and status == "lost"
        )
        if not true_added:
            out.append(_line(scene, added, False, family, "added_clause"))
    return out


# A voice written after the checker was frozen, never used to change it before its first
# measurement: the left-out family (see the report in evals/claims.py's docstring).
HOLDOUT_STATE = {
    "label_created": [
        "The seller has printed the label, but {c} hasn't collected the parcel yet.",
        "Right now it's still sitting at the warehouse waiting for the courier.",
        "Your order hasn't left us yet; the carrier still needs to pick it up.",
    ],
    "moving": [
        "Your package is moving through the {c} network right now.",
        "It left the depot and is heading your way.",
        "The parcel is currently travelling to you with {c}.",
        "Tracking shows it's en route.",
    ],
    "out_for_delivery": [
        "The driver has your parcel on board today.",
        "It's out with the courier for delivery as we speak.",
        "Your parcel is on the delivery van right now.",
    ],
    "delayed": [
        "There's a hold-up with your parcel, so it's behind schedule.",
        "I'm afraid your delivery is running late.",
        "Your shipment has been held up in the carrier's network.",
    ],
    "delivered": [
        "Good news, the parcel reached you already.",
        "The courier marked it as delivered.",
        "It was dropped off at your address.",
        "Your parcel got to you safely.",
    ],
    "lost": [
        "I'm really sorry: the carrier couldn't locate your parcel and has marked it as lost.",
        "It looks like the package has gone missing in transit.",
    ],
    "returned": [
        "The parcel has gone back to the seller.",
        "It was sent back to the sender.",
    ],
    "not_delivered": [
        "It hasn't reached you yet.",
        "Your parcel has not arrived so far.",
        "It's not been delivered just yet.",
    ],
    "not_lost": ["Don't worry, the package hasn't gone missing."],
    "hedged_arrival": [
        "It should get to you soon.",
        "You can expect it to turn up shortly.",
        "It ought to arrive in the next few days.",
    ],
}
HOLDOUT_TRUE = {
    "label_created": {"label_created", "not_delivered", "not_lost", "hedged_arrival"},
    "in_transit": {"moving", "not_delivered", "not_lost", "hedged_arrival"},
    "out_for_delivery": {
        "moving",
        "out_for_delivery",
        "not_delivered",
        "not_lost",
        "hedged_arrival",
    },
    "delayed": {"moving", "delayed", "not_delivered", "not_lost", "hedged_arrival"},
    "delivered": {"delivered", "not_lost"},
    "delivered_disputed": {"delivered", "not_lost"},
    "lost": {"lost", "not_delivered"},
    "returned": {"returned", "not_lost"},
}
HOLDOUT_AMBIGUOUS = {
    "returned": {"delivered", "not_delivered", "moving"},
    "delivered_disputed": {"lost", "not_lost"},
    "lost": {"not_lost", "moving"},
    "label_created": {"moving"},
    "out_for_delivery": {"delayed"},
}
HOLDOUT_ETA = [
    "Your parcel is due {when}.",
    "{c} expects to deliver it {when}.",
    "You should have it {when}.",
]
HOLDOUT_DELIVERED = [
    "The courier delivered it {when}.",
    "It arrived {when}.",
    "Your parcel was handed over {when}.",
]
HOLDOUT_CARRIER = ["{c} is handling the delivery.", "It's shipping via {c}."]
HOLDOUT_SIGNED = ["{s} signed for the parcel.", "It was received by {s}."]
HOLDOUT_AMOUNT = ["You paid {a} for this order.", "The order came to {a} in total."]
HOLDOUT_ACTION = {
    "refund": ["I've gone ahead and issued your refund.", "Your money is on its way back to you."],
    "escalate": [
        "I've raised a ticket with our specialists.",
        "A colleague will get back to you about it.",
    ],
    "notify": [
        "I've just emailed you the tracking details.",
        "We've sent you a message with the update.",
    ],
    "other": [
        "I've contacted the courier to chase it.",
        "I've arranged a redelivery for tomorrow.",
    ],
}
HOLDOUT_OFFER = [
    "Would you like me to open a refund request?",
    "If it doesn't show up by then, just let me know and I'll get a colleague involved.",
]
HOLDOUT_ADDED = [
    "{true} The driver left it with your neighbour.",
    "{true} You'll also get a full refund.",
    "{true} It was delivered on Monday.",
]

HOLDOUT: dict[str, Any] = {
    "state": HOLDOUT_STATE,
    "eta": HOLDOUT_ETA,
    "delivered": HOLDOUT_DELIVERED,
    "carrier": HOLDOUT_CARRIER,
    "signed": HOLDOUT_SIGNED,
    "amount": HOLDOUT_AMOUNT,
    "action": HOLDOUT_ACTION,
    "offer": HOLDOUT_OFFER,
    "added": HOLDOUT_ADDED,
}
# A second left-out voice, written after the fixes the first one prompted: a rambling,
# British-English writer with a small model's habits. Measured as it stands.
HOLDOUT2: dict[str, Any] = {
    "state": {
        "label_created": [
            "So far the retailer has only booked the shipment, the courier hasn't got it yet.",
            "Hiya! Your bits are packed but {c} haven't collected them yet.",
        ],
        "moving": [
            "Right, so your parcel is somewhere in the {c} system and moving along nicely.",
            "Your item has been dispatched and is currently on its journey to you.",
            "It's whizzing its way over to you as we speak 🚀",
        ],
        "out_for_delivery": [
            "Brilliant news, it's on the van and out for delivery today!",
            "The courier is out delivering it today.",
        ],
        "delayed": [
            "Apologies, there's been a bit of a delay with your parcel.",
            "Bit of a setback I'm afraid, your parcel is running behind.",
        ],
        "delivered": [
            "Lovely, the tracking says it's been delivered!",
            "It landed on your doorstep already.",
            "Your parcel has been successfully delivered to you.",
        ],
        "lost": [
            "I'm gutted to say the courier has lost your parcel.",
            "Unfortunately your parcel has been declared lost by the carrier.",
        ],
        "returned": [
            "The parcel has found its way back to the sender, unfortunately.",
            "It was returned to the retailer.",
        ],
        "not_delivered": [
            "Your parcel hasn't been delivered as of yet.",
            "It's not turned up at yours yet.",
        ],
        "not_lost": ["No need to worry, your parcel isn't lost at all."],
        "hedged_arrival": [
            "Hopefully it'll be with you really soon!",
            "It should be with you in the coming days.",
        ],
    },
    "eta": [
        "The estimated delivery is {when}.",
        "Fingers crossed it'll be with you {when} 🤞",
    ],
    "delivered": ["Tracking shows it was delivered {when}.", "It got delivered {when}."],
    "carrier": ["Your delivery is with {c}.", "{c} are delivering this one."],
    "signed": ["It was signed for by {s}.", "{s} took it in for you."],
    "amount": ["Your order total is {a}.", "You were charged {a} for the order."],
    "action": {
        "refund": ["I've popped a refund through for you.", "I've refunded the order in full."],
        "escalate": [
            "I've flagged this with a colleague who'll be in touch.",
            "I've escalated it to our team.",
        ],
        "notify": [
            "I've emailed you a copy of the tracking.",
            "You'll receive an email confirmation shortly.",
        ],
        "other": ["I've booked a redelivery for you.", "I've reported it to the carrier."],
    },
    "offer": [
        "Shall I raise a refund request for you?",
        "If you want, I can get a colleague to look into it.",
    ],
    "added": [
        "{true} Your refund has also been approved.",
        "{true} It was delivered yesterday at 3pm.",
        "{true} The courier is DHL.",
    ],
}

# A third left-out voice, written after every fix above and measured once as it stands (the
# figure the report gives for text nobody tuned the checker on): a call-centre script voice
# mixed with a small model's over-eager, over-explaining habits.
HOLDOUT3: dict[str, Any] = {
    "state": {
        "label_created": [
            "Your order is packed and ready, and we're just waiting for {c} to collect it.",
            "The shipment hasn't been handed to the carrier yet.",
        ],
        "moving": [
            "Thank you for your patience, your order is in transit at the moment.",
            "Your parcel is currently with {c} and on its way to you.",
            "Good news - your order has shipped and is on the way!",
        ],
        "out_for_delivery": [
            "Your parcel is out for delivery and should reach you today.",
            "It's on the final leg of its journey and out for delivery now.",
        ],
        "delayed": [
            "I do apologise, your parcel has been delayed in the network.",
            "Unfortunately there is a delay with your shipment at the moment.",
        ],
        "delivered": [
            "Our system shows that your order has been delivered.",
            "The parcel was delivered and signed for.",
            "Your order has been successfully delivered - enjoy!",
        ],
        "lost": [
            "I'm very sorry, the carrier has confirmed that your parcel is lost.",
            "Regrettably your parcel could not be found by the carrier.",
        ],
        "returned": ["Your parcel has been returned to the sender by the carrier."],
        "not_delivered": [
            "Your order has not been delivered yet.",
            "The parcel has not yet arrived at your address.",
        ],
        "not_lost": ["Rest assured, your parcel is not lost."],
        "hedged_arrival": [
            "Your parcel should arrive soon.",
            "It should be with you shortly.",
        ],
    },
    "eta": ["Your parcel is expected to arrive {when}.", "The estimated delivery date is {when}."],
    "delivered": [
        "Your order was delivered {when}.",
        "The tracking confirms delivery {when}.",
    ],
    "carrier": ["Your parcel is being delivered by {c}.", "The courier for your order is {c}."],
    "signed": ["The parcel was signed for by {s}.", "It was handed to {s}."],
    "amount": ["The total for your order is {a}.", "Your order total comes to {a}."],
    "action": {
        "refund": [
            "I have processed a full refund to your original payment method.",
            "A refund has been issued to your account.",
        ],
        "escalate": [
            "I have escalated your case to our delivery team.",
            "Your case has been passed to a supervisor.",
        ],
        "notify": [
            "I have sent you an email confirmation.",
            "A confirmation email has been sent to your inbox.",
        ],
        "other": [
            "I have requested a redelivery for tomorrow.",
            "I have cancelled the order for you.",
        ],
    },
    "offer": [
        "Is there anything else I can help you with today?",
        "Please let me know if you would like me to raise this with a colleague.",
    ],
    "added": [
        "{true} A refund of the full amount is on its way to you.",
        "{true} The courier attempted delivery this morning.",
        "{true} Your tracking number is AWB-0000000001.",
    ],
}


def _holdout(
    scene: Scene, rng: random.Random, family: str = "holdout", bank: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    b = bank or HOLDOUT
    out: list[dict[str, Any]] = []
    ship = _shipment(scene)
    status, carrier = ship["status"], ship["carrier"]
    now = datetime.fromisoformat(scene.facts["as_of"])
    zone = ZoneInfo(scene.facts["timezone"])
    skip = HOLDOUT_AMBIGUOUS.get(status, set())
    for key, phrasings in b["state"].items():
        if key in skip:
            continue
        text = rng.choice(phrasings).format(c=carrier)
        out.append(_line(scene, text, key in HOLDOUT_TRUE[status], family, "state"))
    wrong = rng.choice([c for c in OTHER_CARRIERS if c != carrier])
    template = rng.choice(b["carrier"])
    out.append(_line(scene, template.format(c=carrier), True, family, "carrier"))
    out.append(_line(scene, template.format(c=wrong), False, family, "carrier"))
    style = rng.randrange(4)
    if ship.get("eta") and status in ("in_transit", "out_for_delivery", "delayed", "label_created"):
        eta = datetime.fromisoformat(ship["eta"].replace("Z", "+00:00"))
        template = rng.choice(b["eta"])
        out.append(
            _line(
                scene,
                template.format(when=_when(eta, now, zone, style), c=carrier),
                True,
                family,
                "date",
            )
        )
        off = eta + timedelta(days=rng.choice((-1, 1, 3)))
        out.append(
            _line(
                scene,
                template.format(when=_when(off, now, zone, style), c=carrier),
                False,
                family,
                "date",
            )
        )
    if ship.get("delivered_at") and status in ("delivered", "delivered_disputed"):
        at = datetime.fromisoformat(ship["delivered_at"].replace("Z", "+00:00"))
        template = rng.choice(b["delivered"])
        out.append(
            _line(scene, template.format(when=_when(at, now, zone, style)), True, family, "date")
        )
        off = at + timedelta(days=rng.choice((-1, 1, 4)))
        out.append(
            _line(scene, template.format(when=_when(off, now, zone, style)), False, family, "date")
        )
    if ship.get("signed_by") and status in ("delivered", "delivered_disputed"):
        signed = ship["signed_by"]
        template = rng.choice(b["signed"])
        if not signed.lower().startswith("left"):
            out.append(
                _line(
                    scene,
                    template.format(s=f"The {signed.lower()}").capitalize()
                    if template.startswith("{s}")
                    else template.format(s=f"the {signed.lower()}"),
                    True,
                    family,
                    "signatory",
                )
            )
        other = rng.choice([x for x in OTHER_SIGNED if x != signed]).lower()
        out.append(
            _line(
                scene,
                template.format(s=f"the {other}").capitalize()
                if template.startswith("{s}")
                else template.format(s=f"the {other}"),
                False,
                family,
                "signatory",
            )
        )
    order = next(
        (o["output"] for o in scene.facts["outputs"] if o["tool"] == "get_order_details"), None
    )
    if order is not None:
        sign = {"USD": "$", "GBP": "£", "EUR": "€"}[order["currency"]]
        template = rng.choice(b["amount"])
        out.append(
            _line(scene, template.format(a=f"{sign}{order['total']:.2f}"), True, family, "amount")
        )
        wrong_total = order["total"] * 2
        out.append(
            _line(scene, template.format(a=f"{sign}{wrong_total:.2f}"), False, family, "amount")
        )
    done = {o["tool"] for o in scene.facts["outputs"]}
    tool_of = {
        "refund": "initiate_refund",
        "escalate": "escalate_to_human",
        "notify": "send_notification",
        "other": "-",
    }
    for action, phrasings in b["action"].items():
        out.append(_line(scene, rng.choice(phrasings), tool_of[action] in done, family, "action"))
    if status in ("lost", "delayed", "delivered_disputed"):
        out.append(_line(scene, rng.choice(b["offer"]), True, family, "offer"))
    true_keys = [k for k in b["state"] if k in HOLDOUT_TRUE[status] and k not in skip]
    added = rng.choice(b["added"])
    clause_true = (
        ("refund" in added and "initiate_refund" in done)
        or ("Monday" in added and status in ("delivered", "delivered_disputed"))
        or ("neighbour" in added and ship.get("signed_by") == "Neighbour")
        or ("DHL" in added and carrier == "DHL")
        or ("yesterday" in added and status in ("delivered", "delivered_disputed"))
    )
    if true_keys and not clause_true:
        true = rng.choice(b["state"][rng.choice(true_keys)]).format(c=carrier)
        out.append(_line(scene, added.format(true=true), False, family, "added_clause"))
    return out


_REGION_OF_ZONE = {"America/New_York": "US", "Europe/London": "UK", "Europe/Berlin": "EU"}


def _template_lines(scene: Scene, rng: random.Random) -> list[dict[str, Any]]:
    """The platform's own renderings (app/routing/tracking_replies.py, written by others for
    customers, not for this checker): true as rendered; with one fact changed (the status, the
    carrier, the ETA a day off) they are the subtlest false answers a model can copy."""
    from app.platform.contract import DeliveryPhoto, Eta, Region, Shipment, ShipmentStatus
    from app.routing.tracking_replies import render_output

    models = {"get_order_status": Shipment, "get_eta": Eta, "get_delivery_photo": DeliveryPhoto}
    out: list[dict[str, Any]] = []
    region = Region(_REGION_OF_ZONE[scene.facts["timezone"]])
    order_id = scene.order.order_id
    for item in scene.facts["outputs"]:
        model = models.get(item["tool"])
        if model is None:
            continue
        output = model.model_validate(item["output"])
        text = render_output(output, order_id, region)
        if text:
            out.append(_line(scene, text, True, "template", "template"))
        if not isinstance(output, Shipment):
            continue
        other = rng.choice([st for st in ShipmentStatus if st is not output.status])
        if {other.value, output.status.value} <= {"delivered", "delivered_disputed"}:
            continue
        changed = []
        # "On its way" is as true of a delayed parcel as of one in transit: not a change.
        moving = {"in_transit", "out_for_delivery", "delayed"}
        if not (other.value == "in_transit" and output.status.value in moving):
            changed.append(output.model_copy(update={"status": other}))
        true_text = render_output(output, order_id, region) or ""
        if output.carrier in true_text:  # a carrier change the customer would see
            carrier = rng.choice([c for c in OTHER_CARRIERS if c != output.carrier])
            changed.append(output.model_copy(update={"carrier": carrier}))
        if output.eta is not None and output.status.value in ("in_transit", "delayed"):
            changed.append(output.model_copy(update={"eta": output.eta + timedelta(days=1)}))
        for wrong in changed:
            text = render_output(wrong, order_id, region)
            if text:
                out.append(_line(scene, text, False, "template", "template_one_fact_changed"))
    return out


def build(seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    lines: list[dict[str, Any]] = []
    # Two voices per scene (rotating), so every voice meets every status and the file stays
    # small enough to read.
    for n, scene in enumerate(scenes()):
        for family in (FAMILIES[n % len(FAMILIES)], FAMILIES[(n + 3) % len(FAMILIES)]):
            lines += _sentences(scene, family, rng)
        lines += _holdout(scene, rng)
        lines += _template_lines(scene, rng)
        if n % 2 == 0:
            lines += _holdout(scene, rng, "holdout2", HOLDOUT2)
        else:
            lines += _holdout(scene, rng, "holdout3", HOLDOUT3)
    return lines


def write_lines(lines: list[dict[str, Any]], out: Path) -> None:
    """One JSON object a line, keys sorted: the same bytes for the same sentences."""
    out.write_text(
        "".join(
            json.dumps(line, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
            for line in lines
        )
    )
    print(f"{len(lines)} lines -> {out}")


def build_main(
    argv: list[str] | None, description: str, out: Path, build: Callable[[], list[dict[str, Any]]]
) -> int:
    """The command line every claims data builder shares: `--out`, then build and write."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=out)
    args = parser.parse_args(argv)
    write_lines(build(), args.out)
    return 0


def main(argv: list[str] | None = None) -> int:
    return build_main(argv, __doc__ or "", OUT, build)


if __name__ == "__main__":
    raise SystemExit(main())
