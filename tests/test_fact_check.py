"""The sentence gate in front of streamed model answers about platform data."""

from __future__ import annotations

from datetime import UTC, datetime

from app.language.claim_facts import TurnFacts
from app.language.claims import SentenceGate, check_sentence
from app.platform.contract import Shipment

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)  # a Thursday
SHIPMENT = Shipment.model_validate(
    {
        "awb": "AWB-7730012345",
        "order_id": "ORD-1000123",
        "carrier": "DHL",
        "status": "in_transit",
        "destination_region": "EU",
        "eta": "2026-12-05T14:00:00Z",
        "timeline": [],
    }
)


def facts() -> TurnFacts:
    return TurnFacts.from_outputs(
        [("get_order_status", SHIPMENT)], now=NOW, timezone="Europe/Berlin"
    )


def unsupported(sentence: str) -> list[str]:
    return check_sentence(sentence, facts()).unsupported


def test_identifiers_and_numbers_must_appear_in_the_facts() -> None:
    assert unsupported("Your parcel AWB-7730012345 is with DHL.") == []
    assert unsupported("It arrives on 2026-12-05 at 15:00.") == []
    assert unsupported("Your order ORD-9999999 is late.") != []
    assert "number: 3" in unsupported("It is in aisle 3.")


def test_sentences_are_released_whole_as_they_complete() -> None:
    gate = SentenceGate(facts())
    assert gate.feed("Your parcel is on ") == []
    assert gate.feed("its way with DHL. It should") == ["Your parcel is on its way with DHL. "]
    assert gate.feed(" arrive soon.") == []
    assert gate.finish() == ["It should arrive soon."]
    assert gate.rejected is None


def test_first_unsupported_sentence_stops_the_answer() -> None:
    gate = SentenceGate(facts())
    released = gate.feed("It is with DHL. It arrives in 5 days. Anything else?")
    released += gate.finish()
    assert released == ["It is with DHL. "]
    assert gate.rejected == "It arrives in 5 days. "
    assert gate.rejection is not None and gate.rejection.unsupported
    assert gate.feed("More text.") == [] and gate.finish() == []


def test_streamed_pieces_concatenate_to_what_was_released() -> None:
    text = "Your order ORD-1000123 is in transit. The carrier is DHL.\nAnything else?"
    for size in (1, 2, 5, 13):
        gate = SentenceGate(facts())
        out: list[str] = []
        for start in range(0, len(text), size):
            out += gate.feed(text[start : start + size])
        out += gate.finish()
        assert gate.rejected is None
        assert "".join(out).split() == text.split()


def test_echoed_tool_json_is_not_released() -> None:
    gate = SentenceGate(facts())
    echoed = '{"awb":"AWB-7730012345","status":"in_transit"} '
    assert gate.feed(echoed + "More.") + gate.finish() == []
    assert gate.rejected is not None
    assert SentenceGate(facts()).feed("The status is in_transit with DHL. ") == []
