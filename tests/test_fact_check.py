"""The sentence gate in front of streamed model answers about platform data."""

from __future__ import annotations

from app.agents.fact_check import SentenceGate, unsupported_facts

FACTS = (
    '{"awb":"AWB-7730012345","status":"in_transit","carrier":"DHL",'
    '"eta":"2026-12-05T14:00:00Z","order_id":"ORD-1000123"}'
)


def test_identifiers_and_numbers_must_appear_in_the_facts() -> None:
    assert unsupported_facts("Your parcel AWB-7730012345 is with DHL.", FACTS) == []
    assert unsupported_facts("It arrives on 2026-12-05 at 14:00.", FACTS) == []
    assert unsupported_facts("Your order ORD-9999999 is late.", FACTS) == ["ORD-9999999"]
    assert unsupported_facts("It arrives in 3 days.", FACTS) == ["3"]


def test_sentences_are_released_whole_as_they_complete() -> None:
    gate = SentenceGate([FACTS])
    assert gate.feed("Your parcel is on ") == []
    assert gate.feed("its way with DHL. It should") == ["Your parcel is on its way with DHL. "]
    assert gate.feed(" arrive soon.") == []
    assert gate.finish() == ["It should arrive soon."]
    assert gate.rejected is None


def test_first_unsupported_sentence_stops_the_answer() -> None:
    gate = SentenceGate([FACTS])
    released = gate.feed("It is with DHL. It arrives in 2 days. Anything else?")
    released += gate.finish()
    assert released == ["It is with DHL. "]
    assert gate.rejected == "It arrives in 2 days. "
    assert gate.feed("More text.") == [] and gate.finish() == []


def test_streamed_pieces_concatenate_to_what_was_released() -> None:
    text = "Your order ORD-1000123 is in transit. The carrier is DHL.\nAnything else?"
    for size in (1, 2, 5, 13):
        gate = SentenceGate([FACTS])
        out: list[str] = []
        for start in range(0, len(text), size):
            out += gate.feed(text[start : start + size])
        out += gate.finish()
        assert gate.rejected is None
        assert "".join(out).split() == text.split()


def test_echoed_tool_json_is_not_released() -> None:
    gate = SentenceGate([FACTS])
    echoed = '{"awb":"AWB-7730012345","status":"in_transit"} '
    assert gate.feed(echoed + "More.") + gate.finish() == []
    assert gate.rejected is not None
    assert SentenceGate([FACTS]).feed("The status is in_transit with DHL. ") == []
