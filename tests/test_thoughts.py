"""The `<thought>` filter: the customer sees the answer only, however the tokens are cut.

Every realistic output is fed split at every point (and every 3-way split for a short one, and
one character at a time); hypothesis adds random chunkings. Whatever the cuts, the visible text
equals the unsplit result, and no emitted piece ever ends in the start of a tag that the stream
then completes (which a client would already have shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations, pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.llm.thoughts import (
    RESPONSE_CLOSE,
    RESPONSE_OPEN,
    THOUGHT_CLOSE,
    THOUGHT_OPEN,
    ThoughtFilter,
    strip_thoughts,
)

TAGS = (THOUGHT_OPEN, THOUGHT_CLOSE, RESPONSE_OPEN, RESPONSE_CLOSE)
FORBIDDEN = ("<thought", "</thought", "<response", "</response")

# (model output, visible text, thoughts)
CASES: dict[str, tuple[str, str, str]] = {
    "thought_then_response": (
        "<thought>The customer asks about ORD-1000001; the status is in transit.</thought>\n"
        "<response>Your order ORD-1000001 is on its way and should arrive on Friday.</response>",
        "Your order ORD-1000001 is on its way and should arrive on Friday.",
        "The customer asks about ORD-1000001; the status is in transit.",
    ),
    "text_after_response_dropped": (
        "<thought>Window is 30 days.</thought><response>You can return it within 30 days."
        "</response>\n<thought>that went well</thought> Anything else? <response>no",
        "You can return it within 30 days.",
        "Window is 30 days.",
    ),
    "no_tags": (
        "Your parcel AWB-1000000001 was delivered yesterday at 10:23.",
        "Your parcel AWB-1000000001 was delivered yesterday at 10:23.",
        "",
    ),
    "unclosed_thought": (
        "<thought>I should check the order status first and then",
        "",
        "I should check the order status first and then",
    ),
    "less_than_is_not_a_tag": (
        "<thought>compare amounts</thought><response>Refunds of < 5 USD, or where x<y, "
        "are instant; <b> is not a tag either.</response>",
        "Refunds of < 5 USD, or where x<y, are instant; <b> is not a tag either.",
        "compare amounts",
    ),
    "forgot_response_tags": (
        "<thought>short</thought>  Your order is in transit.",
        "Your order is in transit.",
        "short",
    ),
    "thought_inside_response": (
        "<response>Part one. <thought>hmm</thought>Part two.</response>",
        "Part one. Part two.",
        "hmm",
    ),
    "response_close_inside_thought_is_thought": (
        "<thought>write </response> later</thought><response>Done.</response>",
        "Done.",
        "write </response> later",
    ),
}
SHORT = "<thought>a<b</thought><response>x < y</response>z"


def run(chunks: Sequence[str]) -> tuple[list[str], ThoughtFilter]:
    """Feed chunks one by one; the last piece is what `finish` releases."""
    scratch = ThoughtFilter()
    pieces = [scratch.feed(chunk) for chunk in chunks]
    pieces.append(scratch.finish())
    return pieces, scratch


def unsplit(text: str) -> tuple[str, str]:
    pieces, scratch = run([text])
    return "".join(pieces), scratch.thoughts


def split_at(text: str, cuts: Sequence[int]) -> list[str]:
    bounds = [0, *sorted(cuts), len(text)]
    return [text[a:b] for a, b in pairwise(bounds)]


def assert_no_partial_tag_leak(text: str, chunks: Sequence[str], pieces: Sequence[str]) -> None:
    """No piece ends in a proper prefix of a tag that the raw stream goes on to complete.

    Judged on the text alone, so it is only meaningful for outputs where such an ending cannot
    be a coincidence (tag soup like "<t<thought>" legitimately shows "<t").
    """
    consumed = 0
    for i, piece in enumerate(pieces):
        consumed = consumed + len(chunks[i]) if i < len(chunks) else len(text)
        for tag in TAGS:
            for k in range(1, len(tag)):
                if piece.endswith(tag[:k]) and text[consumed:].startswith(tag[k:]):
                    raise AssertionError(
                        f"piece {i} {piece!r} leaks {tag[:k]!r} of {tag!r} (chunks {chunks!r})"
                    )


def check(
    text: str,
    chunks: Sequence[str],
    visible: str,
    thoughts: str,
    *,
    textual_leak_check: bool = True,
) -> None:
    assert "".join(chunks) == text
    pieces, scratch = run(chunks)
    assert "".join(pieces) == visible, chunks
    assert scratch.thoughts == thoughts, chunks
    if textual_leak_check:
        assert_no_partial_tag_leak(text, chunks, pieces)


# ---------------------------------------------------------------- the unsplit results


@pytest.mark.parametrize("name", sorted(CASES))
def test_unsplit_result(name: str) -> None:
    text, visible, thoughts = CASES[name]
    assert unsplit(text) == (visible, thoughts)
    for marker in FORBIDDEN:
        assert marker not in visible
    assert strip_thoughts(text) == visible.strip()


# ---------------------------------------------------------------- every split point


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_two_piece_split(name: str) -> None:
    text, visible, thoughts = CASES[name]
    for cut in range(len(text) + 1):
        check(text, split_at(text, [cut]), visible, thoughts)


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_character_at_a_time(name: str) -> None:
    text, visible, thoughts = CASES[name]
    check(text, list(text), visible, thoughts)


def test_every_three_piece_split_of_a_short_output() -> None:
    visible, thoughts = unsplit(SHORT)
    assert (visible, thoughts) == ("x < y", "a<b")
    for a, b in combinations(range(len(SHORT) + 1), 2):
        check(SHORT, split_at(SHORT, [a, b]), visible, thoughts)


def test_empty_chunks_change_nothing() -> None:
    text, visible, thoughts = CASES["thought_then_response"]
    chunks = [piece for ch in text for piece in ("", ch, "")]
    check(text, chunks, visible, thoughts)


# ---------------------------------------------------------------- behaviour details


def test_tag_split_across_chunks_is_held_then_dropped() -> None:
    scratch = ThoughtFilter()
    assert scratch.feed("Sure. <thou") == "Sure. "
    assert scratch.feed("ght>checking") == ""
    assert scratch.feed("</tho") == ""
    assert scratch.feed("ught> Done <respo") == " Done "
    assert scratch.feed("nse>!</resp") == "!"
    assert not scratch.finished
    assert scratch.feed("onse> and more") == ""
    assert scratch.finished
    assert scratch.feed("even more") == ""
    assert scratch.finish() == ""
    assert scratch.thoughts == "checking"
    assert scratch.saw_response_tag


def test_held_less_than_is_released_when_it_turns_out_not_to_be_a_tag() -> None:
    scratch = ThoughtFilter()
    assert scratch.feed("price <") == "price "
    assert scratch.feed(" 5") == "< 5"
    assert scratch.feed(" and <tho") == " and "
    assert scratch.feed("usand>") == "<thousand>"
    assert scratch.finish() == ""


def test_leading_whitespace_of_the_answer_is_trimmed_across_chunks() -> None:
    pieces, _ = run(["<thought>x</thought>", "\n", "  ", "<response>", "\n Hi", " there\n"])
    assert "".join(pieces) == "Hi there\n"
    assert pieces[4] == "Hi"


def test_no_response_tag_is_reported() -> None:
    _, scratch = run(["just text"])
    assert not scratch.saw_response_tag


def test_thoughts_are_kept_for_the_trace() -> None:
    _, scratch = run(["<thought>one</thought>A<thought>two", "</thought>B"])
    assert scratch.thoughts == "onetwo"


# ---------------------------------------------------------------- property: random chunkings

FRAGMENTS = st.sampled_from(
    [*TAGS, "<", ">", "/", "<t", "</", "<th", "<resp", "thought", "response", "a", " ", "\n", "x<y"]
)
RANDOM_TEXT = st.lists(FRAGMENTS, max_size=24).map("".join)


def chunked(text_strategy: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, list[str]]]:
    @st.composite
    def build(draw: st.DrawFn) -> tuple[str, list[str]]:
        text = draw(text_strategy)
        cuts = draw(st.lists(st.integers(0, len(text)), max_size=12))
        return text, split_at(text, cuts)

    return build()


@settings(max_examples=100, deadline=None)
@given(chunked(st.sampled_from([case[0] for case in CASES.values()] + [SHORT])))
def test_random_chunkings_of_realistic_outputs(sample: tuple[str, list[str]]) -> None:
    text, chunks = sample
    visible, thoughts = unsplit(text)
    check(text, chunks, visible, thoughts)
    for marker in FORBIDDEN:
        assert marker not in visible


@settings(max_examples=200, deadline=None)
@given(chunked(RANDOM_TEXT))
def test_random_chunkings_of_tag_soup(sample: tuple[str, list[str]]) -> None:
    # Pieces cannot be taken back, so a leaked tag fragment would make the concatenation
    # differ from the unsplit result: equality is the leak check here.
    text, chunks = sample
    visible, thoughts = unsplit(text)
    check(text, chunks, visible, thoughts, textual_leak_check=False)
