"""The router's n-gram head (app/routing/text_head.py) and how the router mixes it in."""

from __future__ import annotations

import numpy as np
import pytest

from app.routing.exemplar_index import ExemplarIndex
from app.routing.intents import Intent, Route
from app.routing.router import IntentRouter
from app.routing.text_head import TextHead
from tests.test_router import AxisEncoder

ROWS = [
    ("where is my parcel", 0),
    ("has my order shipped yet", 0),
    ("track my package", 0),
    ("I want my money back", 6),
    ("please refund me", 6),
    ("refund the broken lamp", 6),
    ("what is the weather", 9),
    ("tell me a joke", 9),
]


def head(n_labels: int = 11) -> TextHead:
    return TextHead.fit([t for t, _ in ROWS], np.array([label for _, label in ROWS]), n_labels)


def test_probabilities_cover_every_label_and_sum_to_one() -> None:
    out = head().probabilities(["refund pls", "wheres my parcel", ""])
    assert out.shape == (3, 11)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    # Labels without an exemplar never get a share.
    assert np.all(out[:, [1, 2, 3, 4, 5, 7, 8, 10]] == 0.0)


def test_misspelt_words_are_read_from_their_letters() -> None:
    out = head().probabilities(["refnud plz", "were is my parcle", "wether tomorow"])
    assert out.argmax(axis=1).tolist() == [6, 0, 9]


def test_a_single_label_gets_all_of_the_vote() -> None:
    only = TextHead.fit(["refund me", "money back"], np.array([6, 6]), 11)
    out = only.probabilities(["anything at all"])
    assert out[0, 6] == 1.0 and out.sum() == 1.0


@pytest.mark.parametrize("labels", [[0, 0, 0, 6, 6, 6, 9, 9], [0, 0, 0, 6, 6, 6, 6, 6], [6] * 8])
def test_a_stored_head_gives_the_same_probabilities(labels: list[int]) -> None:
    fitted = TextHead.fit([t for t, _ in ROWS], np.array(labels), 11)
    stored = TextHead.from_arrays(fitted.to_arrays())
    texts = ["refnud plz", "wheres my parcel", "ünïcödé wörds ok", ""]
    np.testing.assert_array_equal(stored.probabilities(texts), fitted.probabilities(texts))


def toy_index() -> tuple[ExemplarIndex, AxisEncoder]:
    encoder = AxisEncoder()
    rows = [("track my order", "order_status"), ("refund me", "refund_request")]
    index = ExemplarIndex(
        texts=tuple(t for t, _ in rows),
        labels=tuple(label for _, label in rows),
        vectors=encoder.encode([t for t, _ in rows]),
    )
    return index, encoder


@pytest.mark.parametrize("weight", [-0.1, 1.5])
def test_a_text_weight_outside_zero_to_one_is_refused(weight: float) -> None:
    index, encoder = toy_index()
    with pytest.raises(ValueError, match="text_weight"):
        IntentRouter(index, encoder, text_weight=weight)  # type: ignore[arg-type]


def test_the_vote_is_the_weighted_average_of_both_heads() -> None:
    index, encoder = toy_index()
    embedding_only = IntentRouter(index, encoder, text_weight=0.0)  # type: ignore[arg-type]
    text_only = IntentRouter(index, encoder, text_weight=1.0)  # type: ignore[arg-type]
    mixed = IntentRouter(index, encoder, text_weight=0.25)  # type: ignore[arg-type]
    query = encoder.encode(["refund it"])[0]
    a, _ = embedding_only.vote(query, "refund it")
    b, _ = text_only.vote(query, "refund it")
    c, _ = mixed.vote(query, "refund it")
    np.testing.assert_allclose(c, 0.75 * a + 0.25 * b)
    np.testing.assert_allclose(c.sum(), 1.0)
    # Without the message text only the embedding votes.
    d, _ = mixed.vote(query)
    np.testing.assert_allclose(d, a)


# ---------------------------------------------------------------- the real router


@pytest.fixture(scope="module")
def router() -> IntentRouter:
    return IntentRouter.load()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("message", "intent"),
    [
        # Languages the English encoder cannot read and the glossary does not cover: the
        # `languages` exemplar family and the n-gram head carry them. None is an exemplar.
        ("Siparişim ne zaman teslim edilir acaba?", Intent.ETA),
        ("Paket teslim edildi görünüyor ama elime hiç ulaşmadı", Intent.DELIVERY_DISPUTE),
        ("Chcę zwrotu pieniędzy, czajnik przyszedł zepsuty", Intent.REFUND_REQUEST),
        ("Хочу поговорить с живым оператором, пожалуйста", Intent.HUMAN_AGENT),
    ],
)
def test_languages_without_a_glossary_reach_their_intent(
    router: IntentRouter, message: str, intent: Intent
) -> None:
    assert router.route(message).intent is intent, router.route(message).scores


@pytest.mark.slow
def test_a_message_read_too_poorly_to_route_gets_the_question_not_a_wrong_worker(
    router: IntentRouter,
) -> None:
    # Vietnamese "where is my order?": 31 Vietnamese exemplars are too few to route it with
    # confidence; the clarifying question is the honest answer, never another worker.
    decision = router.route("Đơn hàng của tôi đang ở đâu rồi?")
    assert decision.route in (Route.CLARIFY, Route.TRACKING), decision
    # Taglish "I'd like to return the shoes, they're too small": routed to the return worker
    # until the `boundaries` family (102 out-of-scope lines) made out-of-scope its nearest
    # single intent (0.22 against 0.18); it is asked the question now. Kept as a measured
    # trade: on the blind intents_unseen5 set the family took out-of-scope refused or
    # clarified from 83.3% to 95.8%. It must never reach another worker.
    decision = router.route("Gusto ko pong ibalik yung sapatos, masyadong maliit")
    assert decision.route in (Route.CLARIFY, Route.NEGOTIATION), decision


@pytest.mark.slow
@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("refnud my ordr pls the lamp came brokn", Intent.REFUND_REQUEST),
        ("wen wil my pakage arive", Intent.ETA),
        ("were is my parsel, hasnt moovd in dayz", Intent.ORDER_STATUS),
    ],
)
def test_typos_keep_their_intent(router: IntentRouter, message: str, intent: Intent) -> None:
    assert router.route(message).intent is intent, router.route(message).scores
