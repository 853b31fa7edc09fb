"""The gate in front of Presidio: a text it lets skip the pipeline is one the pipeline finds
nothing in (checked against the full pipeline on the project's own message sets)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.guardrails.pii import PiiScrubber, shared_scrubber
from app.guardrails.pii_gate import might_contain_pii

DATA = Path(__file__).resolve().parents[1] / "evals" / "data"


@pytest.fixture(scope="module")
def scrubber() -> PiiScrubber:
    return shared_scrubber()


@pytest.mark.parametrize(
    "text",
    [
        "Where is my order ORD-1000042?",
        "Can you track ORD-1000042 for me?",
        "When will it arrive?",
        "what's the status of that order? thanks",
        "Hi team, where is AWB-9040414856 now? Thanks again.",
        "",
    ],
)
def test_an_order_question_skips_the_pipeline(text: str) -> None:
    assert not might_contain_pii(text)


@pytest.mark.parametrize(
    "text",
    [
        "Maria here, where is my parcel?",  # a first name the "<name> here" cue keeps
        "Hi Sam, any news?",
        "Name: Maria",  # after a colon: not a sentence start for the gate
        "Where Maria?",
        "the order for Tom is late",
        "mail me: jo＠example.com",  # a full-width at sign
        "call 07700 900481",
        "my number is ０７７００ ９００４８１",  # full-width digits
        "Order ORD-1000042, flat 3",  # a digit outside the id
        "USNS Comfort",
        "«Maria» wrote",
        "my name is priya raghunathan, where is my parcel",  # a lower-case introduction
        "i am jürgen weißmüller",  # no capital anywhere: a known first name
    ],
)
def test_anything_that_could_be_pii_goes_through_the_pipeline(text: str) -> None:
    assert might_contain_pii(text)


def _texts(*names: str) -> list[str]:
    texts: list[str] = []
    for name in names:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def test_the_gate_never_skips_a_text_the_pipeline_finds_pii_in(scrubber: PiiScrubber) -> None:
    texts = _texts("pii_dev.jsonl", "pii_heldout.jsonl", "intents_dev.jsonl", "guard_dev.jsonl")
    skipped = [t for t in texts if not might_contain_pii(t)]
    assert len(skipped) > len(texts) // 4  # the gate does spare work on real messages
    found = {t: scrubber.scrub_fully(t).types for t in skipped}
    assert {t: types for t, types in found.items() if types} == {}
    # And the scrubber's own answer for them is the pipeline's: nothing, text unchanged.
    for text in skipped[:50]:
        assert scrubber.scrub(text).text == text and not scrubber.scrub(text).findings


def test_a_repeated_text_is_scrubbed_once_and_the_cache_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    scrubber = PiiScrubber()
    calls: list[str] = []
    analyze = scrubber._analyzer.analyze

    def counting(text: str, **kwargs: object) -> object:
        calls.append(text)
        return analyze(text=text, **kwargs)

    monkeypatch.setattr(scrubber._analyzer, "analyze", counting)
    context = "Active orders:\n- ORD-1000042 placed 2026-11-02, total 34.50 EUR, for Maria Lopez"
    first = scrubber.scrub(context)
    assert "Maria Lopez" not in first.text and len(calls) == 1
    assert scrubber.scrub(context) == first and len(calls) == 1  # the next turn's trace
    batch = scrubber.scrub_many([context, "call 07700 900481", context])
    assert batch[0] == batch[2] == first and len(calls) == 2  # only the new text analysed
    assert all(len(key) == 16 for key in scrubber._cache.keys())  # digests, never the text
    monkeypatch.setattr(scrubber._cache, "size", 3)
    for n in range(5):
        scrubber.scrub(f"call 07700 90048{n}")
    assert len(scrubber._cache) == 3
