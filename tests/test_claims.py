"""The claim checker: every claim kind, supported and unsupported, against contract-typed facts.

"Now" is Thursday 2026-12-03 12:00 UTC; the customer is in Berlin (UTC+1).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.language.claim_facts import TurnFacts
from app.language.claims import check_sentence
from app.platform.contract import (
    DeliveryPhoto,
    Notification,
    Order,
    Refund,
    Shipment,
    ShipmentStatus,
    Ticket,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
ZONE = "Europe/Berlin"


# The label and the pick-up every test shipment starts with.
LEIPZIG_START = (
    {
        "at": "2026-12-01T09:00:00Z",
        "status": "label_created",
        "location": "Leipzig hub",
        "description": "Shipping label created",
    },
    {
        "at": "2026-12-02T08:00:00Z",
        "status": "in_transit",
        "location": "Leipzig hub",
        "description": "Picked up by DHL",
    },
)


def shipment(status: ShipmentStatus, **extra: object) -> Shipment:
    body: dict[str, object] = {
        "awb": "AWB-7730012345",
        "order_id": "ORD-1000123",
        "carrier": "DHL",
        "status": status,
        "destination_region": "EU",
        "timeline": list(LEIPZIG_START),
    }
    body.update(extra)
    return Shipment.model_validate(body)


IN_TRANSIT = shipment(ShipmentStatus.IN_TRANSIT, eta="2026-12-05T17:00:00Z")  # Saturday 18:00
DELAYED = shipment(ShipmentStatus.DELAYED, eta="2026-12-07T17:00:00Z")  # Monday
DELIVERED = shipment(
    ShipmentStatus.DELIVERED,
    delivered_at="2026-12-02T13:30:00Z",  # yesterday (Wednesday) 14:30 in Berlin
    signed_by="Neighbour",
    photo_ref="pod://dhl/AWB-7730012345.jpg",
)
LOST = shipment(ShipmentStatus.LOST)


def facts(*outputs: tuple[str, object]) -> TurnFacts:
    return TurnFacts.from_outputs(outputs, now=NOW, timezone=ZONE)


def ok(sentence: str, *outputs: tuple[str, object]) -> bool:
    return check_sentence(sentence, facts(*outputs)).supported


def status(s: Shipment) -> tuple[str, object]:
    return ("get_order_status", s)


def test_the_issues_example_is_rejected_against_an_in_transit_order() -> None:
    for sentence in (
        "Your parcel was delivered yesterday…",
        "I've also started a refund for you.",
        "It is lost.",
    ):
        assert not ok(sentence, status(IN_TRANSIT)), sentence


@pytest.mark.parametrize(
    ("sentence", "facts_of", "supported"),
    [
        ("Your parcel is on its way.", IN_TRANSIT, True),
        ("It's with the courier right now.", IN_TRANSIT, True),
        ("It's currently in transit with DHL.", IN_TRANSIT, True),
        ("Your parcel has arrived.", IN_TRANSIT, False),
        ("It went missing.", IN_TRANSIT, False),
        ("It is out for delivery.", IN_TRANSIT, False),
        ("Sorry, it's running late.", IN_TRANSIT, False),
        ("It was returned to the sender.", IN_TRANSIT, False),
        ("It's delayed, sorry for the wait.", DELAYED, True),
        ("It's on schedule.", DELAYED, False),
        ("It has arrived.", DELIVERED, True),
        ("Our records show it was delivered.", DELIVERED, True),
        ("It is still with the courier.", DELIVERED, False),
        ("It has been declared lost by the carrier.", LOST, True),
        ("It's on its way to you.", LOST, False),
    ],
)
def test_shipment_states_and_their_paraphrases(
    sentence: str, facts_of: Shipment, supported: bool
) -> None:
    assert ok(sentence, status(facts_of)) is supported


@pytest.mark.parametrize(
    ("sentence", "facts_of", "supported"),
    [
        ("It has not been delivered yet.", IN_TRANSIT, True),
        ("It hasn't arrived yet.", IN_TRANSIT, True),
        ("It hasn't been delivered yet.", DELIVERED, False),
        ("Your parcel isn't lost.", IN_TRANSIT, True),
        ("Your parcel isn't lost.", LOST, False),
        ("It's not delayed.", DELAYED, False),
        ("It isn't lost, it's lost.", IN_TRANSIT, False),  # a negation binds to its own claim
    ],
)
def test_negated_states_are_read_as_negations(
    sentence: str, facts_of: Shipment, supported: bool
) -> None:
    assert ok(sentence, status(facts_of)) is supported


def test_an_expected_arrival_is_not_a_delivery() -> None:
    assert ok("It should be delivered on Saturday.", status(IN_TRANSIT))
    assert ok("It should arrive soon.", status(IN_TRANSIT))
    assert not ok("It should arrive soon.", status(LOST))
    assert not ok("It should be delivered on Saturday.", status(DELIVERED))


@pytest.mark.parametrize(
    ("sentence", "facts_of", "supported"),
    [
        ("It should arrive on Saturday.", IN_TRANSIT, True),
        ("It should arrive on Friday.", IN_TRANSIT, False),
        ("It should arrive in 2 days.", IN_TRANSIT, True),
        ("It should arrive tomorrow.", IN_TRANSIT, False),
        ("It should arrive by 6pm on Saturday.", IN_TRANSIT, True),
        ("It should arrive at 9am on Saturday.", IN_TRANSIT, False),
        ("It should arrive on December 5.", IN_TRANSIT, True),
        ("It should arrive on 5 Dec.", IN_TRANSIT, True),
        ("It should arrive on 6 Dec.", IN_TRANSIT, False),
        ("It should arrive within 3 days.", IN_TRANSIT, True),
        ("It was delivered yesterday.", DELIVERED, True),
        ("It was delivered on Wednesday at 14:30.", DELIVERED, True),
        ("It was delivered today.", DELIVERED, False),
        ("It was delivered on Monday.", DELIVERED, False),
        ("It was delivered 2 days ago.", DELIVERED, False),
        ("It was picked up yesterday.", IN_TRANSIT, True),
        ("It was picked up last week.", IN_TRANSIT, False),
        ("The new estimate is Monday.", DELAYED, True),
        ("The new estimate is Sunday.", DELAYED, False),
    ],
)
def test_dates_and_times_absolute_and_relative(
    sentence: str, facts_of: Shipment, supported: bool
) -> None:
    assert ok(sentence, status(facts_of)) is supported


def test_carrier_must_be_the_shipments_carrier() -> None:
    assert ok("Your parcel is with DHL.", status(IN_TRANSIT))
    assert not ok("Your parcel is with UPS.", status(IN_TRANSIT))
    assert not ok("Royal Mail has it on the van.", status(IN_TRANSIT))


def test_signatory_must_be_who_signed() -> None:
    assert ok("It was signed for by your neighbour.", status(DELIVERED))
    assert ok("It was left with your neighbor yesterday.", status(DELIVERED))
    assert not ok("It was signed for by reception.", status(DELIVERED))
    assert not ok("It was signed for by your neighbour.", status(IN_TRANSIT))


def test_photo_reference_must_be_the_platforms() -> None:
    photo = DeliveryPhoto(
        awb="AWB-7730012345",
        photo_ref="pod://dhl/AWB-7730012345.jpg",
        taken_at=datetime(2026, 12, 2, 13, 30, tzinfo=UTC),
        signed_by="Neighbour",
    )
    assert ok("Here is the photo: pod://dhl/AWB-7730012345.jpg.", ("get_delivery_photo", photo))
    assert not ok("Here is the photo: pod://dhl/AWB-1111111111.jpg.", ("get_delivery_photo", photo))


def order() -> Order:
    return Order.model_validate(
        {
            "order_id": "ORD-1000123",
            "customer_id": "CUS-000001",
            "client_id": "globex",
            "placed_at": "2026-11-30T10:00:00Z",
            "currency": "EUR",
            "items": [
                {
                    "sku": "SKU-1234-A",
                    "name": "Desk Lamp",
                    "category": "home",
                    "unit_price": "24.50",
                    "quantity": 2,
                }
            ],
            "shipments": [IN_TRANSIT.model_dump(mode="json")],
            "total": "49.00",
            "refunded": "0.00",
            "refundable": "49.00",
        }
    )


def test_amounts_must_match_in_value_and_currency() -> None:
    details = ("get_order_details", order())
    assert ok("Your order total was €49.00.", details)
    assert ok("The lamp cost 24.50 EUR each.", details)
    assert not ok("Your order total was €94.00.", details)
    assert not ok("Your order total was $49.00.", details)


def refund(status_: str) -> Refund:
    return Refund(
        refund_id="REF-10000001",
        order_id="ORD-1000123",
        customer_id="CUS-000001",
        amount=Decimal("49.00"),
        currency="EUR",
        reason_code="DELIVERY_FAILED",
        status=status_,
        decision_reason="auto_approved",
        created_at=NOW,
    )


def open_ticket() -> Ticket:
    return Ticket(
        ticket_id="TCK-10000001",
        client_id="globex",
        customer_id="CUS-000001",
        reason="customer_request",
        priority="normal",
        status="open",
        summary="chase the carrier",
        decision_trace=[],
        created_at=NOW,
    )


def sent_email() -> Notification:
    return Notification(
        notification_id="NTF-10000001",
        customer_id="CUS-000001",
        channel="email",
        subject="Update",
        body="Your parcel is delayed.",
        status="sent",
        created_at=NOW,
    )


def test_an_action_claim_needs_that_write_in_this_turns_facts() -> None:
    assert not ok("I've started a refund for you.", status(LOST))
    assert ok(
        "I've started a refund for you.", status(LOST), ("initiate_refund", refund("pending"))
    )
    # Reading a refund is not doing one.
    assert not ok("I've started a refund for you.", ("get_refund", refund("approved")))
    ticket = open_ticket()
    assert not ok("I've escalated this to a colleague.", status(DELAYED))
    assert ok("I've escalated this to a colleague.", ("escalate_to_human", ticket))
    email = sent_email()
    assert not ok("I've sent you an email with the details.", status(DELAYED))
    assert ok("I've sent you an email with the details.", ("send_notification", email))
    assert not ok("I've sent you a text with the details.", ("send_notification", email))
    assert not ok("I've contacted the courier to chase it.", status(DELAYED))


def test_refund_ids_and_statuses_must_match() -> None:
    read = ("get_refund", refund("approved"))
    assert ok("Your refund REF-10000001 has been approved.", read)
    assert not ok("Your refund REF-10000001 was rejected.", read)
    assert not ok("Your refund REF-99999999 has been approved.", read)
    assert not ok("Your refund has been approved.", status(LOST))


def test_offers_questions_and_conditions_assert_nothing() -> None:
    facts_ = status(DELAYED)
    assert ok("If you'd like, I can start a refund request for it.", facts_)
    assert ok("Would you like me to pass this to a colleague?", facts_)
    assert ok("If it hasn't arrived by then, tell me and I'll pass it to a colleague.", facts_)
    assert ok("Has it arrived?", facts_)


def test_what_the_checker_cannot_read_fails_closed() -> None:
    assert not ok("It went through customs this morning.", status(IN_TRANSIT))
    assert not ok("It is at the Chicago depot.", status(IN_TRANSIT))
    assert not ok("It landed on your doorstep.", status(DELIVERED))
    assert not ok("It is in aisle 7.", status(IN_TRANSIT))
    assert ok("It left the Leipzig hub yesterday.", status(IN_TRANSIT))


def test_a_true_sentence_with_a_false_clause_is_rejected() -> None:
    assert ok("It's on its way with DHL.", status(IN_TRANSIT))
    assert not ok("It's on its way with DHL and should arrive tomorrow.", status(IN_TRANSIT))
    assert not ok("It was delivered yesterday, signed for by reception.", status(DELIVERED))


def test_a_sentence_names_its_own_shipment() -> None:
    other = shipment(ShipmentStatus.DELIVERED, awb="AWB-7730099999", order_id="ORD-1000999")
    both = (status(IN_TRANSIT), ("get_order_status", other))
    assert ok("AWB-7730099999 has been delivered.", *both)
    assert not ok("AWB-7730012345 has been delivered.", *both)


@pytest.mark.parametrize(
    ("facts_of", "sentence", "supported"),
    [
        (IN_TRANSIT, "It arrived this morning.", False),
        (IN_TRANSIT, "Your parcel is no longer in transit.", False),
        (IN_TRANSIT, "Your parcel has been picked up by the courier and is heading to you.", True),
        (IN_TRANSIT, "Delivery was attempted yesterday but nobody was home.", False),
        (IN_TRANSIT, "It's at your local post office.", False),
        (IN_TRANSIT, "Your refund will arrive in 3-5 business days.", False),
        (IN_TRANSIT, "Your order was cancelled.", False),
        (IN_TRANSIT, "It will be delivered on Saturday by DHL.", True),
        (IN_TRANSIT, "It will be delivered on Saturday by UPS.", False),
        (IN_TRANSIT, "Expected delivery: Sunday.", False),
        (IN_TRANSIT, "It's in transit, not lost.", True),
        (IN_TRANSIT, "Nothing to worry about, it's out for delivery.", False),
        (IN_TRANSIT, "The driver is 3 stops away.", False),
        (IN_TRANSIT, "It's been sitting at the Leipzig hub since yesterday.", True),
        (DELIVERED, "Delivered yesterday at 2:30pm to your neighbour.", True),
        (DELIVERED, "Delivered yesterday at 4pm to your neighbour.", False),
        (DELIVERED, "It arrived on Wednesday afternoon.", True),
        (DELIVERED, "It arrived on Wednesday morning.", False),
        (DELIVERED, "It was delivered and then returned.", False),
        (LOST, "The carrier is still searching for it.", False),
        (LOST, "It has been declared lost, so I have issued a full refund.", False),
        (DELAYED, "It's delayed because of a strike.", False),
        (DELAYED, "It's running behind schedule and now expected on Monday.", True),
        (DELAYED, "It's running behind schedule and now expected on Tuesday.", False),
        (DELAYED, "Your parcel is not delayed.", False),
    ],
)
def test_sentences_a_model_might_write(facts_of: Shipment, sentence: str, supported: bool) -> None:
    assert ok(sentence, status(facts_of)) is supported


# ------------------------------------------------------------------ fail closed on meaning


@pytest.mark.parametrize(
    ("sentence", "facts_of", "supported"),
    [
        # Claims made of everyday words only: the grammar reads nothing, the meaning decides.
        ("It's with you now.", IN_TRANSIT, False),
        ("It's with you now.", DELIVERED, True),
        ("It's with you now.", LOST, False),
        # A negated claim the grammar cannot read fails closed, true or not.
        ("Nope, nothing yet.", DELIVERED, False),
        ("Nope, nothing yet.", IN_TRANSIT, False),
        # One it reads ("no delivery yet", "not with you yet") is checked like any state.
        ("No delivery yet.", DELIVERED, False),
        ("No delivery yet.", IN_TRANSIT, True),
        ("It's not with you yet, I'm afraid.", DELIVERED, False),
        ("It's not with you yet, I'm afraid.", IN_TRANSIT, True),
        ("It's not with you yet, I'm afraid.", LOST, False),
        # Courtesy is not a claim, negated or not, in words the grammar knows or not.
        ("Don't worry, it's on its way.", IN_TRANSIT, True),
        ("I completely understand how annoying this is.", IN_TRANSIT, True),
        ("I completely understand how annoying this is.", LOST, True),
    ],
)
def test_a_claim_in_everyday_words_is_judged_by_its_meaning(
    sentence: str, facts_of: Shipment, supported: bool
) -> None:
    assert ok(sentence, status(facts_of)) is supported


def test_words_the_grammar_never_met_are_released_only_for_a_sure_true_state() -> None:
    # "anywhere" is unread; the clause is surely about a lost parcel: true only when it is.
    assert ok("The carrier can't find it anywhere.", status(LOST))
    assert not ok("The carrier can't find it anywhere.", status(IN_TRANSIT))
    assert not ok("The carrier can't find it anywhere.", status(DELIVERED))
    # Near "lost" without a wide margin: an ongoing search is not a declared loss.
    assert not ok("The carrier is still searching for it.", status(LOST))
    # Another language is read only through its listed phrases (claim_gloss.py): a phrase not
    # listed is not read, so it is not released.
    assert not ok("Ihr Paket wurde beim Nachbarn abgegeben.", status(DELIVERED))
    assert not ok("Votre colis est chez le voisin.", status(DELIVERED))
    assert ok("Votre colis est en route.", status(IN_TRANSIT))


def test_a_hedged_past_claim_is_a_claim_not_an_expectation() -> None:
    assert not ok("It might have been delivered.", status(IN_TRANSIT))
    assert not ok("It looks like it may have been delivered already.", status(DELAYED))
    assert ok("It might have been delivered.", status(DELIVERED))
    assert ok("It should be delivered on Saturday.", status(IN_TRANSIT))


def test_a_return_label_by_email_needs_a_return_not_only_an_email() -> None:
    email = Notification(
        notification_id="NTF-10000002",
        customer_id="CUS-000001",
        channel="email",
        subject="Update",
        body="Your parcel is on its way.",
        status="sent",
        created_at=NOW,
    )
    assert ok("I've emailed you the details.", ("send_notification", email))
    assert not ok("A return label has been emailed to you.", ("send_notification", email))


def test_a_refund_said_to_be_done_needs_an_approved_refund() -> None:
    pending = ("initiate_refund", refund("pending"))
    approved = ("initiate_refund", refund("approved"))
    assert ok("I've started a refund for you.", status(LOST), pending)
    assert not ok("The refund is done.", status(LOST), pending)
    assert not ok("Your money is on its way back to you.", status(LOST), pending)
    assert ok("The refund is done.", status(LOST), approved)
    assert ok("Your money is on its way back to you.", status(LOST), approved)


def test_a_time_of_day_is_the_customers_own() -> None:
    # 11:30 UTC is 12:30 in Berlin: afternoon for the customer, morning only in UTC.
    noonish = shipment(ShipmentStatus.OUT_FOR_DELIVERY, eta="2026-12-03T11:30:00Z")
    assert ok("It should arrive this afternoon.", status(noonish))
    assert not ok("It should arrive this morning.", status(noonish))
    assert ok("It should arrive around 12:30.", status(noonish))
    assert not ok("It should arrive around 11:30.", status(noonish))
    assert ok("It should arrive around 11:30 UTC.", status(noonish))


def test_refunded_as_a_verb_is_an_action_claim() -> None:
    assert not ok("Yes, it's been refunded.", status(LOST))
    assert not ok("You were refunded yesterday.", status(LOST))
    assert ok("Yes, it's been refunded.", status(LOST), ("initiate_refund", refund("approved")))


# ------------------------------------------------------------------ held-out paraphrases


@pytest.mark.parametrize(
    ("sentence", "facts_of", "supported"),
    [
        # "by <weekday>" is a bound (the ETA falls on it or before); a copied calendar date
        # after "by" is still the platform's day itself.
        ("You'll have it by Monday.", IN_TRANSIT, True),
        ("You'll have it by Friday.", IN_TRANSIT, False),
        ("It's expected by Mon 7 Dec 2026.", IN_TRANSIT, False),
        # Days of the month without a month, months "back in", weekends.
        ("It should arrive on the 5th.", IN_TRANSIT, True),
        ("It should arrive on the 6th.", IN_TRANSIT, False),
        ("Delivered on Wednesday the 2nd.", DELIVERED, True),
        ("Delivered on Tuesday the 2nd.", DELIVERED, False),
        ("It was delivered back in December.", DELIVERED, True),
        ("It was delivered back in November.", DELIVERED, False),
        ("Look out for it over the weekend.", IN_TRANSIT, True),
        ("Look out for it over the weekend.", DELAYED, False),
        ("The courier aims to get it to you on Wednesday.", IN_TRANSIT, False),
        # Courtesy and hedges claim nothing; the claim beside them is still checked.
        ("Thanks so much for reaching out!", IN_TRANSIT, True),
        ("You'll have it on Saturday, all being well.", IN_TRANSIT, True),
        ("You'll have it on Sunday, all being well.", IN_TRANSIT, False),
        ("It might be lost, I'm afraid.", IN_TRANSIT, False),
        # A negation the grammar read: its words are not unread.
        ("Nothing suggests it's lost.", IN_TRANSIT, True),
        ("Nothing suggests it's lost.", LOST, False),
        ("There's no sign of it being lost, don't worry.", IN_TRANSIT, True),
        # A short heading gives the clause after its colon its role; a courteous one does not
        # turn that clause into a condition.
        ("Estimated arrival: by Monday.", IN_TRANSIT, True),
        ("Estimated arrival: Friday.", IN_TRANSIT, False),
        ("Arrival confirmed.", IN_TRANSIT, False),
        ("Please accept our apologies: the shipment has been delayed.", IN_TRANSIT, False),
        # An offer's verb is not an entity's status; a stated status still needs the entity.
        ("If you'd like, I can open a ticket.", IN_TRANSIT, True),
        # What a clause reports as done is no consequence of the condition before it.
        ("If you'd like, I can open a ticket, which I've already done.", IN_TRANSIT, False),
        ("If it helps, I have already opened a ticket for you.", IN_TRANSIT, False),
        ("Your ticket is open.", IN_TRANSIT, False),
        # State paraphrases.
        ("It's arrived at the sorting centre.", IN_TRANSIT, True),
        ("It's arrived at the sorting centre.", DELIVERED, False),
        ("DHL have got it and it's moving.", IN_TRANSIT, True),
        ("It's gone astray, sorry.", LOST, True),
        ("It's gone astray, sorry.", IN_TRANSIT, False),
        ("You haven't received it yet.", IN_TRANSIT, True),
        ("You haven't received it yet.", DELIVERED, False),
        # "You signed for it": the platform must record the customer as signatory.
        ("You signed for it yourself.", DELIVERED, False),
        ("You signed for it.", DELIVERED, False),
        (
            "You signed for it yourself.",
            shipment(ShipmentStatus.DELIVERED, signed_by="Customer"),
            True,
        ),
        ("Your parcel made it to you!", DELIVERED, True),
        ("Your parcel made it to you!", IN_TRANSIT, False),
        ("It ships via DHL.", IN_TRANSIT, True),
        ("It ships via UPS.", IN_TRANSIT, False),
        ("It was sent with DHL.", shipment(ShipmentStatus.LABEL_CREATED), False),
        ("Your parcel is fine.", IN_TRANSIT, False),
        # Qualifiers ("driver", "van", "dated") are released beside a read claim only.
        ("The driver is on his way.", IN_TRANSIT, False),
        ("It's in the van.", IN_TRANSIT, False),
        ("The driver is on the way to you.", IN_TRANSIT, False),
        ("Proof of delivery is dated yesterday.", DELIVERED, True),
        # A misspelt claim word is read as the word it is one edit from, and checked; a real
        # word one edit from a claim word ("slipped", "shipped") is not corrected.
        ("your parcle is in tranist", IN_TRANSIT, True),
        ("your parcle is in tranist", DELIVERED, False),
        ("yr parcel has arived", DELIVERED, True),
        ("yr parcel has arived", IN_TRANSIT, False),
        ("Your delivery has slipped a little.", IN_TRANSIT, False),
        # Another language, glossed phrase by phrase and checked as English; an unlisted
        # phrase (here a negation) stays unread.
        ("Su paquete ha sido entregado.", DELIVERED, True),
        ("Su paquete ha sido entregado.", IN_TRANSIT, False),
        ("Ihr Paket ist unterwegs.", IN_TRANSIT, True),
        ("Ihr Paket ist unterwegs.", LOST, False),
        ("Votre colis n'est pas perdu.", IN_TRANSIT, False),
        ("Uw pakket is hier.", DELIVERED, False),
        ("J'ai lancé un remboursement.", IN_TRANSIT, False),
    ],
)
def test_held_out_paraphrases(facts_of: Shipment, sentence: str, supported: bool) -> None:
    assert ok(sentence, status(facts_of)) is supported


def _timeline_to_hamburg() -> Shipment:
    return shipment(
        ShipmentStatus.DELAYED,
        eta="2026-12-07T17:00:00Z",
        timeline=[
            *LEIPZIG_START,
            {
                "at": "2026-12-02T20:00:00Z",
                "status": "in_transit",
                "location": "Cologne hub",
                "description": "Arrived at sorting facility",
            },
            {
                "at": "2026-12-03T06:00:00Z",
                "status": "delayed",
                "location": "Hamburg depot",
                "description": "Delayed: weather disruption at hub",
            },
        ],
    )


@pytest.mark.parametrize(
    ("sentence", "supported"),
    [
        ("It's held up at the Hamburg depot.", True),
        ("It's held up at the Cologne hub.", False),  # the delay was in Hamburg
        ("It's at the Hamburg depot.", True),  # where it is now: the latest event
        ("It's still at the Cologne hub.", False),
        ("It reached the Cologne hub yesterday.", True),
        ("It reached the Leipzig hub yesterday.", False),  # Leipzig printed the label
        ("It was picked up on the 2nd.", True),
        ("It was picked up on the 1st.", False),  # the 1st was the label's day
        ("DHL picked it up on Monday.", False),  # a Wednesday
    ],
)
def test_a_place_or_a_dated_scan_must_be_the_timelines(sentence: str, supported: bool) -> None:
    assert ok(sentence, status(_timeline_to_hamburg())) is supported


def test_a_weekday_beside_a_date_must_be_that_dates() -> None:
    assert ok("It was delivered on Wednesday, 2 December.", status(DELIVERED))
    assert not ok("It was delivered on Tuesday, 2 December.", status(DELIVERED))
    assert not ok("It was delivered on Sunday December 2nd.", status(DELIVERED))


def test_an_action_phrase_is_judged_on_everything_it_says() -> None:
    ticket = open_ticket()
    escalated = ("escalate_to_human", ticket)
    assert ok("I've escalated this to a colleague.", escalated)
    # An email and a ticket: the ticket alone does not vouch for the email.
    assert not ok("I've also sent you an email confirmation of the ticket.", escalated)
    # No tool phones anyone.
    assert not ok("I've escalated it and a colleague will call you.", escalated)
    email = sent_email()
    assert ok("I've sent you an email.", ("send_notification", email))
    assert not ok("I've sent you a push notification in the app.", ("send_notification", email))


def test_a_total_is_the_orders_and_a_priority_the_tickets() -> None:
    details = ("get_order_details", order())
    total, unit = order().total, order().items[0].unit_price
    assert ok(f"Your order total was €{total:.2f}.", details)
    assert ok(f"Each lamp was €{unit:.2f}.", details)
    assert not ok(f"Your order total was €{unit:.2f}.", details)  # one lamp's price
    ticket = open_ticket()
    escalated = ("escalate_to_human", ticket)
    assert not ok("I've escalated this as a high-priority case.", escalated)
    assert ok("I've escalated this as a normal-priority case.", escalated)


def test_an_offer_holds_out_only_what_the_agent_can_do() -> None:
    s = status(IN_TRANSIT)
    assert ok("Would you like me to escalate this to a colleague?", s)
    assert not ok("I can arrange a free replacement right away.", s)
    assert not ok("If it hasn't arrived by Friday, I'll automatically refund you.", s)
    assert not ok("You will be guaranteed a full refund once it's investigated.", s)
    assert not ok("I can arrange for DHL to hold the parcel at the depot.", s)
    # Saying what the agent cannot do is no offer.
    assert ok("I can't arrange a replacement from here.", s)


def test_a_refundable_amount_is_what_the_order_can_still_refund() -> None:
    details = ("get_order_details", order())
    assert ok("The refundable amount on this order is €49.00.", details)
    assert not ok("The refundable amount on this order is €24.50.", details)  # one lamp's price


def _delivered_then_disputed() -> Shipment:
    return shipment(
        ShipmentStatus.DELIVERED_DISPUTED,
        delivered_at="2026-12-02T13:30:00Z",
        timeline=[
            *LEIPZIG_START,
            {
                "at": "2026-12-02T13:30:00Z",
                "status": "delivered",
                "location": "Bremen depot",
                "description": "Delivered",
            },
            {
                "at": "2026-12-02T23:30:00Z",  # 00:30 on the 3rd in Berlin
                "status": "delivered_disputed",
                "location": "Hamburg depot",
                "description": "Customer reported not received",
            },
        ],
    )


def test_a_delivery_scan_is_the_delivery_not_the_dispute_after_it() -> None:
    s = status(_delivered_then_disputed())
    assert ok("Delivered scan: Bremen depot.", s)
    assert not ok("Delivered scan: Hamburg depot.", s)


def test_a_scans_day_is_the_customers_day() -> None:
    returned = shipment(
        ShipmentStatus.RETURNED,
        timeline=[
            *LEIPZIG_START,
            {
                "at": "2026-12-02T23:30:00Z",  # 00:30 on 3 December in Berlin
                "status": "returned",
                "location": "Leipzig hub",
                "description": "Returned to sender",
            },
        ],
    )
    assert ok("It was sent back to the sender on 3 December.", status(returned))
    assert not ok("It was sent back to the sender on 2 December.", status(returned))


def test_out_for_delivery_since_a_time_is_the_vans_scan() -> None:
    van = shipment(
        ShipmentStatus.OUT_FOR_DELIVERY,
        timeline=[
            *LEIPZIG_START,
            {
                "at": "2026-12-02T07:00:00Z",  # yesterday morning in Berlin
                "status": "out_for_delivery",
                "location": "Leipzig hub",
                "description": "Out for delivery",
            },
        ],
    )
    assert ok("It is out for delivery.", status(van))
    assert ok("It has been out for delivery since yesterday morning.", status(van))
    assert not ok("It has been out for delivery since this morning.", status(van))


def test_a_return_to_the_sender_is_not_coming_back_to_the_customer() -> None:
    returned = shipment(ShipmentStatus.RETURNED)
    assert ok("It's on its way back to the sender.", status(returned))
    assert not ok("It's on its way back to you now.", status(returned))
