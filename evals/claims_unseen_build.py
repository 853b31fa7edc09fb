"""Builds evals/data/claims_unseen2.jsonl: a held-out claim set, written before the fail-closed
rework of the checker and measured once as it stood (first look in evals/claims.py's docstring).

    python -m evals.claims_unseen_build [--out F]

Facts are real seed tool outputs for *other orders* than the dev set reads (`scenes(offset=1)`).
The phrasing is deliberately none of `evals.claims_build`'s: state paraphrases ("it's with the
courier", "hasn't left the warehouse", "went missing", "handed to a neighbour"), relative dates
("by Friday", "early next week", "last month"), hedged and negated claims, actions in many forms
("your money is on its way back", "a return label has been emailed"), sentences of several claims
where one is false, and the languages a model might drift into. Labels come from the facts by
the rules below, never from the checker: a sentence is supported only if every claim in it is.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from evals.claims_build import build_main
from evals.claims_facts import Scene, labelled_line, scenes

OUT = Path(__file__).resolve().parent / "data" / "claims_unseen2.jsonl"
FAMILY = "unseen2"

MOVING = {"in_transit", "out_for_delivery", "delayed"}
NOT_YET = {"label_created", "in_transit", "out_for_delivery", "delayed", "lost"}
DELIVERED = {"delivered", "delivered_disputed"}
ALL = {
    "label_created",
    "in_transit",
    "out_for_delivery",
    "delayed",
    "delivered",
    "delivered_disputed",
    "lost",
    "returned",
}

# (phrasings, statuses where the claim is true, statuses where its truth is arguable: left out)
STATE_CLAIMS: dict[str, tuple[list[str], set[str], set[str]]] = {
    "with_courier": (
        [
            "It's with the courier now.",
            "{c} have got it and it's moving.",
            "your parcel is in {c}'s hands at the moment",
            "The courier has it, it's making progress towards you.",
        ],
        MOVING,
        {"lost", "returned"},
    ),
    "not_left": (
        [
            "It hasn't left the warehouse yet.",
            "ur order is still sat at the seller waiting for {c} to grab it",
            "The courier hasn't picked it up so far.",
            "Nothing has been handed over to {c} yet, it's still with the shop.",
        ],
        {"label_created"},
        {"returned"},
    ),
    "on_van": (
        [
            "It's on the van!",
            "The driver has it on today's round 🚐",
            "It's out on the delivery run today.",
            "Your parcel is loaded for delivery and will be with you today.",
        ],
        {"out_for_delivery"},
        set(),
    ),
    "went_missing": (
        [
            "Sadly it went missing.",
            "The carrier can't find it anywhere.",
            "I'm afraid your parcel has been misplaced by {c}.",
            "it seems to have vanished somewhere in the network 😟",
        ],
        {"lost"},
        {"delivered_disputed"},
    ),
    "to_neighbour": (
        ["It was handed to a neighbour.", "Your neighbour took it in for you."],
        set(),  # true only where the seed says Neighbour: see _state_truth
        {"returned"},
    ),
    "signed_name": (
        ["It was signed for by J. SMITH.", "Signed for by M. Jones at 10:14."],
        set(),
        set(),
    ),
    "delivered_para": (
        [
            "It's been dropped at yours.",
            "Your parcel made it to you!",
            "The courier completed the drop-off.",
            "it arrived at your door 🎉",
            "Delivery has been completed.",
        ],
        DELIVERED,
        {"returned"},
    ),
    "delayed_para": (
        [
            "It's running behind, the weather slowed things down at the hub.",
            "There's a hold up with it because of bad weather.",
            "it's a bit late sorry!! weather issues at the depot",
            "Your delivery has slipped a little.",
        ],
        {"delayed"},
        set(),
    ),
    "returned_para": (
        [
            "It went back to the shop.",
            "The parcel bounced back to the sender.",
            "{c} returned it to the seller.",
            "it's been sent back where it came from",
        ],
        {"returned"},
        set(),
    ),
    "sorting": (
        [
            "It's been scanned at a sorting facility.",
            "Latest scan: it's arrived at the sorting centre.",
        ],
        {"in_transit"},
        {"delayed", "out_for_delivery", "returned", "lost", "delivered", "delivered_disputed"},
    ),
    "not_delivered": (
        [
            "It hasn't been delivered yet.",
            "It's not with you yet, I'm afraid.",
            "I can't see any sign it's been delivered so far.",
            "no delivery yet!",
        ],
        NOT_YET,
        {"returned"},
    ),
    "not_ofd": (
        ["It isn't out for delivery yet.", "It's not on a van yet."],
        {"label_created", "in_transit", "delayed"},
        {"lost", "returned", "delivered", "delivered_disputed"},
    ),
    "not_lost": (
        ["Nothing suggests it's lost.", "There's no sign of it being lost, don't worry."],
        ALL - {"lost"},
        {"delivered_disputed"},
    ),
    "no_delay": (
        ["There's no delay on this one.", "It isn't running late at all."],
        {"label_created", "in_transit", "out_for_delivery"},
        {"lost", "returned", "delivered", "delivered_disputed"},
    ),
    "not_dispatched": (
        ["It's not been dispatched yet.", "{c} hasn't collected it yet."],
        {"label_created"},
        set(),
    ),
    "hedged_delivered": (
        [
            "It looks like it might have been delivered.",
            "I believe it was delivered.",
            "From what I can see it probably arrived already.",
        ],
        DELIVERED,
        {"returned"},
    ),
    "hedged_lost": (
        ["I think it may have been lost.", "It might be lost, I'm afraid."],
        {"lost"},
        {"delivered_disputed"},
    ),
    "hedged_soon": (
        [
            "It should be with you before long.",
            "it'll probably turn up any day now",
            "Hopefully it reaches you shortly.",
        ],
        MOVING | {"label_created"},
        set(),
    ),
    "disputed": (
        [
            "The carrier is looking into the missing delivery.",
            "There's an open investigation with the courier about it.",
        ],
        {"delivered_disputed"},
        set(),
    ),
    "typo_delivered": (
        ["its been deliverd", "yr parcel has arived"],
        DELIVERED,
        {"returned"},
    ),
    "typo_moving": (
        ["its on its way to u", "your parcle is in tranist"],
        MOVING,
        {"label_created"},
    ),
}

# Other languages a model might answer in.
FOREIGN: dict[str, tuple[list[str], set[str], set[str]]] = {
    "moving": (
        [
            "Ihr Paket ist unterwegs.",
            "Votre colis est en cours d'acheminement.",
            "Su paquete está en camino.",
            "Il tuo pacco è in viaggio.",
        ],
        MOVING,
        {"label_created"},
    ),
    "delivered": (
        [
            "Ihr Paket wurde zugestellt.",
            "Votre colis a été livré.",
            "Su paquete ha sido entregado.",
            "Je pakket is bezorgd.",
        ],
        DELIVERED,
        {"returned"},
    ),
    "lost": (
        [
            "Leider ist Ihr Paket verloren gegangen.",
            "Votre colis a été perdu.",
            "Su paquete se ha perdido.",
        ],
        {"lost"},
        {"delivered_disputed"},
    ),
    "ofd": (
        ["Il pacco è in consegna oggi.", "Votre colis est en cours de livraison aujourd'hui."],
        {"out_for_delivery"},
        set(),
    ),
    "delayed": (
        ["Je pakket is vertraagd.", "Ihre Sendung hat sich verspätet."],
        {"delayed"},
        set(),
    ),
}
FOREIGN_ACTIONS = {
    "refund": ["Ich habe eine Rückerstattung für Sie veranlasst.", "J'ai lancé un remboursement."],
    "escalate": ["He escalado su caso a un compañero.", "Ich habe Ihr Anliegen weitergeleitet."],
}

# (phrasings, the write that supports them; None: nothing in a turn's facts supports them)
ACTIONS: dict[str, tuple[list[str], str | None]] = {
    "refund": (
        [
            "I've gone ahead and put a refund through.",
            "Your money is on its way back to you.",
            "I've sorted a refund out for you.",
            "A refund has been raised for you.",
            "the refund is done 👍",
            "I've arranged for you to be reimbursed.",
            "I went ahead and refunded you.",
        ],
        "initiate_refund",
    ),
    "return": (
        [
            "A return label has been emailed to you.",
            "I've set up a return for the item.",
            "Your return is booked in.",
        ],
        "initiate_return",
    ),
    "escalate": (
        [
            "I've handed this over to a specialist.",
            "I've opened a case with our delivery team.",
            "A colleague is now looking into it for you.",
            "I've flagged it to the team and someone's on it.",
        ],
        "escalate_to_human",
    ),
    "notify": (
        [
            "I've dropped you an email with the details.",
            "Check your inbox, I've emailed you the update.",
            "An email with the details has gone out to you.",
        ],
        "send_notification",
    ),
    "never": (
        [
            "I've asked the courier to try again tomorrow.",
            "I've cancelled the order for you.",
            "I've contacted the driver directly.",
            "I've added a note for the driver to leave it in a safe place.",
            "A text is on its way to your phone.",
            "I've requested the delivery photo from the courier.",
            "Someone from our team will call you within 24 hours.",
            "You'll see the refund on your card in 3-5 working days.",
            "I've applied a £10 voucher to your account.",
            "I've upgraded you to express shipping.",
        ],
        None,
    ),
}

# Refund phrasings that say the money has gone, not just that a refund was started.
COMPLETED_REFUND = {"Your money is on its way back to you.", "the refund is done 👍"}

# Sentences that claim nothing: courtesy, offers, questions, conditions.
NEUTRAL = [
    "Sorry for the hassle with this!",
    "Is there anything else I can do for you?",
    "Want me to look into a refund for you?",
    "If it hasn't turned up by Monday, just get back to me.",
    "Happy to help further if you need anything.",
    "Thanks for bearing with me 🙏",
    "Would you like me to pass this to a colleague?",
    "I completely understand how annoying this is.",
    "Let me know if you'd like me to raise a ticket.",
]

# ------------------------------------------------------------------ dates


def _parts(hour: int) -> set[str]:
    out = set()
    if 5 <= hour < 12:
        out.add("morning")
    if 12 <= hour < 18:
        out.add("afternoon")
    if 17 <= hour < 24:
        out.add("evening")
    return out


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


DatePhrase = tuple[str, Callable[[datetime], bool]]


def _future_phrases(day: date, today: date) -> list[DatePhrase]:
    """Ways to name `day` (an arrival still to come, or today), each with its own truth test
    on the fact's local moment."""
    out: list[DatePhrase] = []
    delta = (day - today).days
    monday = today - timedelta(days=today.weekday())
    if delta == 0:
        out.append(("later today", lambda m: m.date() == today))
    if delta == 1:
        out.append(("tomorrow", lambda m: m.date() == today + timedelta(days=1)))
    if delta == 2:
        out.append(("the day after tomorrow", lambda m: m.date() == today + timedelta(days=2)))
        out.append(("in a couple of days", lambda m: m.date() == today + timedelta(days=2)))
    if 0 < delta < 7:
        name = day.strftime("%A")
        out.append((f"by {name}", lambda m, d=day: today <= m.date() <= d))
        out.append((f"on {name}", lambda m, d=day: m.date() == d))
    weekend = (monday + timedelta(days=5), monday + timedelta(days=6))
    if day in weekend:
        out.append(("over the weekend", lambda m: m.date() in weekend))
    next_monday = monday + timedelta(days=7)
    early_next = {next_monday + timedelta(days=i) for i in range(3)}
    if day in early_next or day == next_monday - timedelta(days=1):
        out.append(("early next week", lambda m: m.date() in early_next))
    if day >= next_monday and day < next_monday + timedelta(days=7):
        out.append(("next week", lambda m: next_monday <= m.date() < next_monday + timedelta(7)))
    out.append((f"on the {_ordinal(day.day)}", lambda m, d=day: m.date() == d))
    out.append(
        (f"on {day.strftime('%a')} {day.day} {day.strftime('%B')}", lambda m, d=day: m.date() == d)
    )
    return out


def _past_phrases(day: date, today: date) -> list[DatePhrase]:
    out: list[DatePhrase] = []
    delta = (today - day).days
    monday = today - timedelta(days=today.weekday())
    if delta == 1:
        out.append(("yesterday", lambda m: m.date() == today - timedelta(days=1)))
    if monday <= day < today:
        out.append(("earlier this week", lambda m: monday <= m.date() < today))
    last_monday = monday - timedelta(days=7)
    if last_monday <= day < monday:
        out.append(("last week", lambda m: last_monday <= m.date() < monday))
    first_this_month = today.replace(day=1)
    first_last_month = (first_this_month - timedelta(days=1)).replace(day=1)
    if first_last_month <= day < first_this_month:
        out.append(("last month", lambda m: first_last_month <= m.date() < first_this_month))
    month = day.strftime("%B")
    out.append((f"back in {month}", lambda m, d=day: (m.year, m.month) == (d.year, d.month)))
    out.append((f"on {month} {_ordinal(day.day)}", lambda m, d=day: m.date() == d))
    out.append((f"on {day.strftime('%A')} the {_ordinal(day.day)}", lambda m, d=day: m.date() == d))
    return out


ETA_TEMPLATES = [
    "Tracking says you should get it {when}.",
    "{c} reckon it'll land {when}.",
    "it's due to you {when} 🙂",
    "Expect it {when}.",
    "It's scheduled to reach you {when}.",
    "You'll have it {when}, all being well.",
]
OVERDUE_TEMPLATES = ["It was due {when}.", "It was meant to arrive {when}."]
DELIVERED_TEMPLATES = [
    "It was dropped off {when}.",
    "{c} completed the delivery {when}.",
    "Proof of delivery is dated {when}.",
    "it got to you {when}",
]
PART_TEMPLATES = ["It should reach you {when}.", "expect the driver {when}"]


def _local(iso: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(zone)


def _dated(
    templates: list[str], phrases: list[DatePhrase], actual: datetime, c: str, rng: random.Random
) -> list[tuple[str, bool]]:
    truths = [(p, test(actual)) for p, test in phrases]
    true = [p for p, ok in truths if ok]
    false = [p for p, ok in truths if not ok]
    out = []
    for p in rng.sample(true, min(2, len(true))):
        out.append((rng.choice(templates).format(when=p, c=c), True))
    for p in rng.sample(false, min(2, len(false))):
        out.append((rng.choice(templates).format(when=p, c=c), False))
    return out


def _dates(
    scene: Scene,
    ship: dict[str, Any],
    rng: random.Random,
    templates: dict[str, list[str]] | None = None,
) -> list[tuple[str, bool]]:
    """Dated sentences, true and false; `templates` (keys eta, overdue, delivered, part) lets
    another held-out set say them its own way."""
    t = templates or {
        "eta": ETA_TEMPLATES,
        "overdue": OVERDUE_TEMPLATES,
        "delivered": DELIVERED_TEMPLATES,
        "part": PART_TEMPLATES,
    }
    zone = ZoneInfo(scene.facts["timezone"])
    now = datetime.fromisoformat(scene.facts["as_of"]).astimezone(zone)
    today = now.date()
    c = ship["carrier"]
    status = ship["status"]
    out: list[tuple[str, bool]] = []
    if ship.get("eta") and status in MOVING | {"label_created"}:
        eta = _local(ship["eta"], zone)
        if eta.date() >= today:
            days = {eta.date() + timedelta(days=k) for k in (-2, -1, 0, 1, 3, 5)}
            phrases = [p for d in sorted(days) if d >= today for p in _future_phrases(d, today)]
            out += _dated(t["eta"], phrases, eta, c, rng)
            # A part of the day: right day and right part, or one of them wrong.
            day_word = {0: "this", 1: "tomorrow"}.get((eta.date() - today).days)
            if day_word is not None:
                for part in ("morning", "afternoon", "evening"):
                    words = f"{day_word} {part}" if day_word == "tomorrow" else f"this {part}"
                    ok = part in _parts(eta.hour)
                    template = rng.choice(t["part"])
                    ok = ok and eta.date() == today + timedelta(days=0 if day_word == "this" else 1)
                    out.append((template.format(when=words), ok))
        else:
            days = {eta.date() + timedelta(days=k) for k in (-1, 0, 1)}
            phrases = [p for d in sorted(days) if d < today for p in _past_phrases(d, today)]
            out += _dated(t["overdue"], phrases, eta, c, rng)
            # Promising a future day for a parcel the platform has no new date for.
            out.append(("It'll be with you tomorrow.", False))
    if ship.get("delivered_at") and status in DELIVERED:
        at = _local(ship["delivered_at"], zone)
        days = {at.date() + timedelta(days=k) for k in (-7, -1, 0, 1, 3, 30)}
        phrases = [p for d in sorted(days) if d < today for p in _past_phrases(d, today)]
        out += _dated(t["delivered"], phrases, at, c, rng)
    return out


# ------------------------------------------------------------------ the scene's lines


_line = partial(labelled_line, family=FAMILY)


def _state_truth(
    key: str, status: str, ship: dict[str, Any], table: dict[str, Any], now: datetime
) -> bool | None:
    _phrasings, true_for, arguable = table[key]
    if status in arguable:
        return None
    overdue = bool(ship.get("eta")) and _local(ship["eta"], now.tzinfo) < now  # type: ignore[arg-type]
    if key == "no_delay" and overdue:
        return None  # in transit past its ETA: "no delay" is arguable
    if key == "to_neighbour":
        return status in DELIVERED and ship.get("signed_by") == "Neighbour"
    return status in true_for


def _lines(scene: Scene, rng: random.Random) -> list[dict[str, Any]]:
    ship = next(o["output"] for o in scene.facts["outputs"] if o["tool"] == "get_order_status")
    status, c = ship["status"], ship["carrier"]
    done = {o["tool"] for o in scene.facts["outputs"]}
    now = datetime.fromisoformat(scene.facts["as_of"])
    refund_state = next(
        (o["output"]["status"] for o in scene.facts["outputs"] if o["tool"] == "initiate_refund"),
        None,
    )
    out: list[dict[str, Any]] = []
    true_states: list[str] = []
    false_states: list[str] = []
    for key in STATE_CLAIMS:
        ok = _state_truth(key, status, ship, STATE_CLAIMS, now)
        if ok is None:
            continue
        text = rng.choice(STATE_CLAIMS[key][0]).format(c=c)
        out.append(_line(scene, text, ok, "state"))
        (true_states if ok else false_states).append(text)
    for key in rng.sample(list(FOREIGN), 3):
        ok = _state_truth(key, status, ship, FOREIGN, now)
        if ok is not None:
            out.append(_line(scene, rng.choice(FOREIGN[key][0]), ok, "foreign"))
    for action, phrasings in FOREIGN_ACTIONS.items():
        tool = {"refund": "initiate_refund", "escalate": "escalate_to_human"}[action]
        out.append(_line(scene, rng.choice(phrasings), tool in done, "foreign_action"))
    for name, (phrasings, tool) in ACTIONS.items():
        for text in rng.sample(phrasings, 2 if name != "never" else 3):
            ok = tool is not None and tool in done
            if text in COMPLETED_REFUND:
                ok = refund_state in ("approved", "settled")
            out.append(_line(scene, text, ok, "action"))
    # Signatory, as the seed has it, and a wrong one.
    signed = ship.get("signed_by")
    if signed and status in DELIVERED:
        if signed == "Parcel locker":
            out.append(_line(scene, "It went into a parcel locker.", True, "signatory"))
        elif signed == "Left at front door":
            out.append(_line(scene, "The driver left it by your front door.", True, "signatory"))
        elif signed == "Customer":
            out.append(_line(scene, "You signed for it yourself.", True, "signatory"))
        else:
            out.append(_line(scene, f"Your {signed.lower()} took it in.", True, "signatory"))
        wrong = rng.choice(
            [
                w
                for w in ("reception", "the concierge", "building staff", "a neighbour")
                if w.split()[-1] not in signed.lower()
            ]
        )
        out.append(_line(scene, f"It was accepted by {wrong}.", False, "signatory"))
    # Carrier in new forms.
    other = rng.choice(
        [x for x in ("UPS", "FedEx", "DPD", "Evri", "DHL", "Royal Mail", "GLS") if x != c]
    )
    template = rng.choice(
        ["It's coming with {c}.", "{c} is your courier for this one.", "it ships via {c} 📦"]
    )
    out.append(_line(scene, template.format(c=c), True, "carrier"))
    out.append(_line(scene, template.format(c=other), False, "carrier"))
    for text, ok in _dates(scene, ship, rng):
        out.append(_line(scene, text, ok, "date"))
    # Amounts: the refund written this turn, or the order's total.
    for o in scene.facts["outputs"]:
        if o["tool"] == "initiate_refund":
            sign = {"USD": "$", "GBP": "£", "EUR": "€"}[o["output"]["currency"]]
            amount = float(o["output"]["amount"])
            out.append(_line(scene, f"You're getting {sign}{amount:.2f} back.", True, "amount"))
            out.append(
                _line(scene, f"You're getting {sign}{amount + 20:.2f} back.", False, "amount")
            )
            state = o["output"]["status"]
            out.append(
                _line(
                    scene,
                    "Your refund has already been paid out.",
                    state == "settled",
                    "refund_status",
                )
            )
            out.append(
                _line(
                    scene,
                    "The refund is still waiting for approval.",
                    state == "pending",
                    "refund_status",
                )
            )
        if o["tool"] == "get_order_details":
            sign = {"USD": "$", "GBP": "£", "EUR": "€"}[o["output"]["currency"]]
            total = float(o["output"]["total"])
            out.append(_line(scene, f"all in, you spent {sign}{total:.2f} on this", True, "amount"))
            out.append(
                _line(scene, f"all in, you spent {sign}{total - 1:.2f} on this", False, "amount")
            )
        if o["tool"] == "escalate_to_human":
            tid = o["output"]["ticket_id"]
            out.append(_line(scene, f"Your case reference is {tid} and it's open.", True, "ticket"))
            out.append(_line(scene, f"Ticket {tid} has been resolved.", False, "ticket"))
    # Several claims, one false; and several, all true.
    extra_false = [
        "and I've also refunded you in full",
        "plus it was signed for by your neighbour",
        "and it'll be there tomorrow before noon",
        "— also, {other} is handling it now",
        "and a colleague has already called the depot",
    ]
    if "initiate_refund" in done:
        extra_false.remove("and I've also refunded you in full")
    if signed == "Neighbour":
        extra_false.remove("plus it was signed for by your neighbour")
    eta_at = _local(ship["eta"], ZoneInfo(scene.facts["timezone"])) if ship.get("eta") else None
    local_now = now.astimezone(ZoneInfo(scene.facts["timezone"]))
    if eta_at and eta_at.date() == local_now.date() + timedelta(days=1) and eta_at.hour < 12:
        extra_false.remove("and it'll be there tomorrow before noon")
    if true_states:
        base = rng.choice(true_states).rstrip(".!🎉🚐😟👍 ")
        for tail in rng.sample(extra_false, 2):
            joined = f"{base} {tail}" if tail.startswith("—") else f"{base}, {tail}"
            out.append(_line(scene, joined.format(other=other) + ".", False, "multi"))
        out.append(_line(scene, f"{base}, and {c} is the courier.", True, "multi"))
    if false_states and true_states:
        t = rng.choice(true_states).rstrip(".!🎉🚐😟👍 ")
        f = rng.choice(false_states).rstrip(".!🎉🚐😟👍 ")
        f = f[0].lower() + f[1:] if not f.startswith(("I ", "I'", c)) else f
        out.append(_line(scene, f"{t}; in fact {f}.", False, "multi"))
    neutral = [n for n in NEUTRAL if status in NOT_YET or "turned up" not in n]
    for text in rng.sample(neutral, 2):
        out.append(_line(scene, text, True, "neutral"))
    return out


def build(seed: int = 23) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    lines: list[dict[str, Any]] = []
    for scene in scenes(offset=1):
        lines += _lines(scene, rng)
    return lines


def main(argv: list[str] | None = None) -> int:
    return build_main(argv, (__doc__ or "").split("\n")[0], OUT, build)


if __name__ == "__main__":
    raise SystemExit(main())
