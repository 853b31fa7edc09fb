"""Intent routing: labels and routes, the exemplar router, low confidence (fallback, one clarifying
question, never a guessed escalation), follow-ups, cache."""

from __future__ import annotations

import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from app.routing import augment
from app.routing.exemplar_index import (
    DEFAULT_EXEMPLAR_FILES,
    ExemplarIndex,
    load_index,
    normalised_for_overlap,
    prepare_text,
    read_exemplars,
)
from app.routing.intents import INTENT_LABELS, Intent, Route, route_for
from app.routing.router import FOLLOWUP_LABEL, IntentRouter, RouteDecision, RoutingContext

REPO_ROOT = Path(__file__).resolve().parents[1]
EVAL_SETS = (
    REPO_ROOT / "evals" / "data" / "intents_dev.jsonl",
    REPO_ROOT / "evals" / "data" / "intents_test.jsonl",
    REPO_ROOT / "evals" / "data" / "intents_unseen2.jsonl",
    REPO_ROOT / "evals" / "data" / "intents_unseen3.jsonl",
    REPO_ROOT / "evals" / "data" / "intents_unseen5.jsonl",
    # intents_unseen4.jsonl is left out here: written blind, it happens to repeat two exemplars
    # word for word ("refund me"), and `evals.intents` reports them.
)


def labelled(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# ---------------------------------------------------------------- data


def test_eval_sets_share_no_message_with_the_exemplars() -> None:
    exemplars = {normalised_for_overlap(e.text) for e in read_exemplars(DEFAULT_EXEMPLAR_FILES)}
    for path in EVAL_SETS:
        overlap = [
            r["text"] for r in labelled(path) if normalised_for_overlap(r["text"]) in exemplars
        ]
        assert overlap == [], f"{path.name} repeats exemplars: {overlap[:5]}"


def test_every_label_has_exemplars_and_dev_messages() -> None:
    exemplar_counts = Counter(e.intent for e in read_exemplars(DEFAULT_EXEMPLAR_FILES))
    dev = labelled(EVAL_SETS[0])
    dev_counts = Counter(r["intent"] for r in dev)
    assert len(dev) >= 200
    for label in INTENT_LABELS:
        assert exemplar_counts[label] >= 40, label
        assert dev_counts[label] >= 20, label
    assert set(exemplar_counts) == {*INTENT_LABELS, FOLLOWUP_LABEL}


def test_intents_map_to_their_routes() -> None:
    expected = {
        Intent.ORDER_STATUS: Route.TRACKING,
        Intent.ETA: Route.TRACKING,
        Intent.DELIVERY_PHOTO: Route.TRACKING,
        Intent.RETURN_POLICY: Route.POLICY,
        Intent.REFUND_POLICY: Route.POLICY,
        Intent.INITIATE_RETURN: Route.NEGOTIATION,
        Intent.REFUND_REQUEST: Route.NEGOTIATION,
        Intent.DELIVERY_DISPUTE: Route.NEGOTIATION,
        Intent.HUMAN_AGENT: Route.ESCALATION,
        Intent.OUT_OF_SCOPE: Route.REFUSAL,
    }
    assert {intent: route_for(intent) for intent in Intent} == expected


def test_ids_are_replaced_by_plain_words_before_embedding() -> None:
    assert prepare_text("where is AWB-7730012345  and ORD-1048213?") == "where is parcel and order?"
    assert prepare_text("return sku-9942-b") == "return item"


def test_question_words_of_other_languages_are_glossed_and_english_is_left_alone() -> None:
    # The intent hangs on "cuándo llega" as much as on "pedido" (app/routing/intent_gloss.py).
    assert prepare_text("¿Cuándo llega mi pedido?") == "¿when arrive mi order?"
    glossed = prepare_text("Dice entregado pero no recibí nada")
    assert glossed == "Dice delivered pero no received nada"
    # English words that are another language's word stay as they are.
    for english in ("When will the dove-grey coat come?", "Where is my order?"):
        assert prepare_text(english) == english


# ---------------------------------------------------------------- a deterministic toy router

AXES = {"track": 0, "refund": 1, "yes": 2, "weather": 3, "human": 4, "between": 5}  # between: none


class AxisEncoder:
    """Maps a text to a unit vector from the keywords it contains: routing logic without a model."""

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), len(AXES)), dtype=np.float32)
        for row, text in enumerate(texts):
            for word, axis in AXES.items():
                if word in text:
                    out[row, axis] = 1.0
            if norm := float(np.linalg.norm(out[row])):
                out[row] /= norm
            else:  # no keyword: orthogonal to every exemplar
                out[row, AXES["between"]] = 1.0
        return out


def toy_router(fallback: object = None) -> IntentRouter:
    encoder = AxisEncoder()
    rows = [
        ("track my order", "order_status"),
        ("track it", "order_status"),
        ("track the parcel", "order_status"),
        ("refund me", "refund_request"),
        ("refund please", "refund_request"),
        ("refund now", "refund_request"),
        ("yes", FOLLOWUP_LABEL),
        ("yes please", FOLLOWUP_LABEL),
        ("weather", "out_of_scope"),
        ("weather today", "out_of_scope"),
        ("human", "human_agent"),
        ("a human please", "human_agent"),
    ]
    index = ExemplarIndex(
        texts=tuple(t for t, _ in rows),
        labels=tuple(label for _, label in rows),
        vectors=encoder.encode([t for t, _ in rows]),
    )
    # Weak regularisation: six orthogonal toy axes should give near-certain votes. The toy
    # axes alone (no n-gram vote): these tests are about what the router does with a vote.
    return IntentRouter(
        index,
        encoder,  # type: ignore[arg-type]
        regularisation_c=100.0,
        text_weight=0.0,
        fallback=fallback,  # type: ignore[arg-type]
    )


class RecordingFallback:
    def __init__(self, answer: str | None) -> None:
        self.answer = answer
        self.calls: list[tuple[str, list[str], str | None]] = []

    async def classify(self, text: str, labels: list[str], context: str | None) -> str | None:
        self.calls.append((text, labels, context))
        return self.answer


def test_a_clear_message_is_routed_by_the_vote_alone() -> None:
    decision = toy_router().route("track my parcel")
    assert decision.intent is Intent.ORDER_STATUS
    assert decision.route is Route.TRACKING
    assert decision.source == "knn"
    assert not decision.low_confidence
    assert set(decision.scores) == set(INTENT_LABELS)


async def test_low_confidence_consults_the_fallback_and_takes_a_known_label() -> None:
    fallback = RecordingFallback("refund_policy")
    router = toy_router(fallback)
    assert router.route("hmm, not sure").low_confidence

    decision = await router.aroute("hmm, not sure", fallback_context="Gold, UK")

    assert fallback.calls == [("hmm, not sure", list(INTENT_LABELS), "Gold, UK")]
    assert decision.intent is Intent.REFUND_POLICY
    assert decision.route is Route.POLICY
    assert decision.source == "llm"
    assert not decision.low_confidence


@pytest.mark.parametrize("answer", ["cancel_subscription", "Refund request", "", None])
async def test_a_fallback_answer_outside_the_label_set_is_ignored(answer: str | None) -> None:
    fallback = RecordingFallback(answer)
    router = toy_router(fallback)
    decision = await router.aroute("hmm, not sure")
    assert len(fallback.calls) == 1
    assert decision == router.route("hmm, not sure")
    assert decision.source == "knn"
    assert decision.low_confidence


async def test_a_confident_decision_never_calls_the_fallback() -> None:
    fallback = RecordingFallback("out_of_scope")
    decision = await toy_router(fallback).aroute("refund please now")
    assert fallback.calls == []
    assert decision.intent is Intent.REFUND_REQUEST


def test_low_confidence_asks_one_clarifying_question_then_takes_the_best_guess() -> None:
    router = toy_router()
    first = router.route("track refund weather")  # no intent leads
    assert first.low_confidence
    assert first.route is Route.CLARIFY
    # The answer to our question is still unclear: no second question, the best guess's worker.
    again = router.route("track refund weather", RoutingContext(asked_to_clarify=True))
    assert again.low_confidence
    assert again.route is route_for(again.intent)
    # A clear answer is routed as usual.
    clear = router.route("refund please", RoutingContext(asked_to_clarify=True))
    assert (clear.intent, clear.route, clear.low_confidence) == (
        Intent.REFUND_REQUEST,
        Route.NEGOTIATION,
        False,
    )


def test_an_unsure_message_torn_between_two_of_our_intents_goes_to_the_leader() -> None:
    decision = toy_router().route("track or refund")
    assert decision.low_confidence
    assert decision.intent in (Intent.ORDER_STATUS, Intent.REFUND_REQUEST)
    assert decision.route is route_for(decision.intent)


def test_a_message_sent_to_a_worker_by_our_share_of_the_vote_names_that_workers_intent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    router = toy_router()
    # Out-of-scope on top (0.30) but 0.62 of the vote on tracking's intents.
    votes = np.zeros(len(INTENT_LABELS) + 1)
    for label, share in {
        "order_status": 0.25,
        "eta": 0.20,
        "delivery_photo": 0.17,
        "out_of_scope": 0.30,
        "human_agent": 0.05,
    }.items():
        votes[INTENT_LABELS.index(label)] = share
    votes[-1] = 0.03
    monkeypatch.setattr(router, "vote", lambda query, message=None: (votes, 1.0))
    decision = router.route("anything")
    assert decision.low_confidence
    assert (decision.intent, decision.route) == (Intent.ORDER_STATUS, Route.TRACKING)
    assert decision.confidence == 0.25
    # The session keeps that intent: the reply to the worker's proposal goes back to it.
    reply = router.route(
        "yes", RoutingContext(last_intent=decision.intent, pending_confirmation=True)
    )
    assert reply.route is Route.TRACKING


def test_an_unsure_message_naming_an_order_goes_to_its_worker_not_a_question() -> None:
    router = toy_router()
    decision = router.route("track or refund ORD-1000042")
    assert decision.low_confidence
    assert decision.route is route_for(decision.intent)
    assert decision.route is not Route.CLARIFY


def test_the_answer_to_a_clarifying_question_is_not_taken_as_a_followup() -> None:
    router = toy_router()
    # Short and unclear would inherit the last intent, but the last intent was our unsure guess.
    before = RoutingContext(last_intent=Intent.ETA)
    assert router.route("track refund weather", before).source == "context"
    context = RoutingContext(last_intent=Intent.ETA, asked_to_clarify=True)
    decision = router.route("track refund weather", context)
    assert decision.source == "knn"
    assert decision.route is not Route.CLARIFY  # at most one question in a row


def test_an_unsure_message_is_never_escalated_on_a_guess() -> None:
    router = toy_router()
    assert router.route("human").route is Route.ESCALATION  # asked for plainly
    unsure = router.route("human weather")
    assert unsure.low_confidence
    assert unsure.route is Route.CLARIFY
    after_question = router.route("human weather", RoutingContext(asked_to_clarify=True))
    assert after_question.route is Route.REFUSAL


def test_an_in_scope_winner_with_a_real_out_of_scope_vote_is_unsure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    router = toy_router()
    router.low_confidence = 0.0  # only the out-of-scope doubt can make it unsure
    router.similarity_floor = 0.0
    torn = router.route("refund weather")
    assert torn.intent is Intent.REFUND_REQUEST  # refund's three exemplars outvote weather's two
    assert torn.scores["out_of_scope"] >= 0.2
    assert torn.low_confidence
    assert not router.route("refund please").low_confidence
    # Without the rule the same message would be answered by a worker on a coin toss.
    monkeypatch.setattr("app.routing.router.OUT_OF_SCOPE_DOUBT", 1.0)
    assert not router.route("refund weather").low_confidence


def test_a_two_label_index_gives_probabilities_of_both() -> None:
    encoder = AxisEncoder()
    rows = [("track it", "order_status"), ("weather", "out_of_scope")]
    index = ExemplarIndex(
        texts=tuple(t for t, _ in rows),
        labels=tuple(label for _, label in rows),
        vectors=encoder.encode([t for t, _ in rows]),
    )
    router = IntentRouter(index, encoder, regularisation_c=100.0)  # type: ignore[arg-type]
    assert router.route("track").intent is Intent.ORDER_STATUS
    assert router.route("weather").intent is Intent.OUT_OF_SCOPE
    assert router.route("weather").scores["refund_request"] == 0.0


def test_the_followup_label_is_never_returned_and_needs_context() -> None:
    router = toy_router()
    alone = router.route("yes please")
    assert alone.intent.value in INTENT_LABELS
    assert alone.low_confidence
    with_context = router.route("yes please", RoutingContext(last_intent=Intent.REFUND_REQUEST))
    assert with_context.intent is Intent.REFUND_REQUEST
    assert with_context.source == "context"


def test_exemplar_embeddings_are_cached_by_file_content(tmp_path: Path) -> None:
    data = tmp_path / "exemplars.jsonl"
    data.write_text('{"text": "track it", "intent": "order_status"}\n')
    encoder = AxisEncoder()
    first = load_index(encoder, paths=[data], model_id="toy", cache_dir=tmp_path / "cache")
    second = load_index(encoder, paths=[data], model_id="toy", cache_dir=tmp_path / "cache")
    assert encoder.calls == 1
    np.testing.assert_array_equal(first.vectors, second.vectors)

    data.write_text('{"text": "refund it", "intent": "refund_request"}\n')
    changed = load_index(encoder, paths=[data], model_id="toy", cache_dir=tmp_path / "cache")
    assert encoder.calls == 2
    assert changed.labels == ("refund_request",)
    load_index(encoder, paths=[data], model_id="other-model", cache_dir=tmp_path / "cache")
    assert encoder.calls == 3


def test_the_fitted_head_is_cached_with_the_exemplars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "exemplars.jsonl"
    data.write_text(
        '{"text": "track it", "intent": "order_status"}\n'
        '{"text": "refund it", "intent": "refund_request"}\n'
        '{"text": "weather", "intent": "out_of_scope"}\n'
    )
    cache = tmp_path / "cache"
    first = IntentRouter.load(AxisEncoder(), paths=[data], cache_dir=cache)  # type: ignore[arg-type]
    heads = list(cache.glob("head-*.npz"))
    text_heads = list(cache.glob("text-head-*.npz"))
    assert len(heads) == 1 and len(text_heads) == 1
    fits = []
    monkeypatch.setattr(
        "app.routing.router.TextHead.fit", lambda *args: fits.append(args) or pytest.fail("refit")
    )
    second = IntentRouter.load(AxisEncoder(), paths=[data], cache_dir=cache)  # type: ignore[arg-type]
    assert second.route("refund").scores == first.route("refund").scores
    assert fits == []  # both heads were read back, not fitted again
    monkeypatch.undo()
    # A corrupt cache file is refitted, never trusted.
    heads[0].write_bytes(b"not a numpy file")
    text_heads[0].write_bytes(b"not a numpy file either")
    third = IntentRouter.load(AxisEncoder(), paths=[data], cache_dir=cache)  # type: ignore[arg-type]
    assert third.route("refund").scores == first.route("refund").scores


# ---------------------------------------------------------------- the real router (encoder)


@pytest.fixture(scope="module")
def router() -> IntentRouter:
    return IntentRouter.load()


CLEAR_MESSAGES = {
    Intent.ORDER_STATUS: ["Where is my parcel? It hasn't moved in days", "has my order shipped"],
    Intent.ETA: ["When will my order be delivered?", "what day is it arriving"],
    Intent.DELIVERY_PHOTO: [
        "Can I see the photo of where my parcel was left?",
        "who signed for it",
    ],
    Intent.RETURN_POLICY: [
        "How many days do I have to return shoes?",
        "are opened items returnable",
        # Seen live: a question about the window, not a request to start a return.
        "what is your return window for shoes?",
    ],
    Intent.REFUND_POLICY: ["How long does a refund take to reach my card?"],
    Intent.INITIATE_RETURN: [
        "I want to return the jacket, it's too big",
        "please send me a return label",
        "I want to return my shoes",
    ],
    Intent.REFUND_REQUEST: ["I want my money back for the broken kettle", "refund my order please"],
    Intent.DELIVERY_DISPUTE: ["It says delivered but I never received it"],
    Intent.HUMAN_AGENT: ["Let me talk to a real person", "I need a human agent"],
    Intent.OUT_OF_SCOPE: ["What's the weather in Paris tomorrow?", "write me a python script"],
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("message", "intent"),
    [(m, intent) for intent, messages in CLEAR_MESSAGES.items() for m in messages],
)
def test_clear_messages_reach_their_intent(
    router: IntentRouter, message: str, intent: Intent
) -> None:
    decision = router.route(message)
    assert decision.intent is intent, decision.scores
    assert decision.route is route_for(intent)
    assert decision.source == "knn"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("plain", "with_ids", "intent"),
    [
        ("where is my parcel", "where is my parcel AWB-5550012345", Intent.ORDER_STATUS),
        ("when will order arrive", "when will ORD-98765432 arrive", Intent.ETA),
        (
            "I want a refund for my order",
            "I want a refund for ORD-1234567, AWB-9990001112 and SKU-1111-Z",
            Intent.REFUND_REQUEST,
        ),
    ],
)
def test_ids_in_a_message_do_not_change_its_route(
    router: IntentRouter, plain: str, with_ids: str, intent: Intent
) -> None:
    assert router.route(plain).intent is intent
    assert router.route(with_ids).intent is intent


@pytest.mark.slow
@pytest.mark.parametrize(
    "message", ["and the other one?", "yes please", "what about the second order", "ok do it", "no"]
)
def test_a_short_followup_keeps_the_previous_intent(router: IntentRouter, message: str) -> None:
    context = RoutingContext(
        last_intent=Intent.ETA, recent_order_ids=("ORD-1000001", "ORD-1000002")
    )
    decision = router.route(message, context)
    assert decision.intent is Intent.ETA
    assert decision.route is Route.TRACKING
    assert decision.source == "context"
    assert not decision.low_confidence


@pytest.mark.slow
@pytest.mark.parametrize(
    "message",
    [
        "are you a person or a program?",
        "what's the capital of Peru",
        "my bank card got swallowed by the cash machine",
        "can you recommend a podcast about history",
        # Sounds like logistics, is not a customer's order.
        "what would you charge to move our company's stock every week",
        "I'd like to apply to drive deliveries for you",
        "how do I open a seller account to list my candles",
    ],
)
def test_an_out_of_scope_message_is_refused_or_clarified_never_escalated(
    router: IntentRouter, message: str
) -> None:
    decision = router.route(message)
    assert decision.route in (Route.REFUSAL, Route.CLARIFY), decision.scores


@pytest.mark.slow
def test_every_exemplar_family_is_named_and_known() -> None:
    families = Counter(e.family for e in read_exemplars(DEFAULT_EXEMPLAR_FILES))
    assert set(families) == {
        "own",
        "voices",
        "registers",
        "multilingual",
        "styles",
        "languages",
        "boundaries",
        "clinc150",
        "banking77",
    }
    assert families["voices"] >= 90
    assert families["languages"] >= 300
    assert families["boundaries"] >= 200
    assert families["styles"] >= 200
    in_scope = Counter(
        e.family for e in read_exemplars(DEFAULT_EXEMPLAR_FILES) if e.intent != "out_of_scope"
    )
    # Every family but banking77 has in-scope lines, so leaving it out measures accuracy too.
    assert set(in_scope) == set(families) - {"banking77"}


def test_the_noisy_exemplars_are_what_the_augmenter_writes(tmp_path: Path) -> None:
    # The committed file is the augmenter's output for the committed exemplars: editing an
    # exemplar without rerunning `python -m app.routing.augment` fails here.
    target = tmp_path / "noisy.jsonl"
    augment.write(target)
    assert target.read_bytes() == augment.TARGET.read_bytes()


def test_a_noisy_copy_keeps_ids_and_its_family() -> None:
    rng = random.Random(0)
    for _ in range(20):
        copy = augment.noisy("Please refund ORD-1048213 and AWB-2200918376, thanks!", rng)
        assert "ORD-1048213" in copy and "AWB-2200918376" in copy
        assert copy == copy.strip() and "!" not in copy
    families = {e.family for e in read_exemplars(DEFAULT_EXEMPLAR_FILES)}
    for exemplar in read_exemplars([augment.TARGET]):
        assert exemplar.source.endswith(":noisy")
        assert exemplar.family in families - {"multilingual", "banking77"}


@pytest.mark.slow
def test_a_followup_without_context_is_low_confidence(router: IntentRouter) -> None:
    assert router.route("yes please").low_confidence


@pytest.mark.slow
def test_a_pending_confirmation_takes_the_answer(router: IntentRouter) -> None:
    context = RoutingContext(last_intent=Intent.REFUND_REQUEST, pending_confirmation=True)
    answers = (
        "yes go ahead",
        "no don't",
        "wait, is that the full amount or just for the shoes?",
        "only the helmet please, I'm keeping the bottles",
        "where is my other parcel btw",
    )
    for answer in answers:
        decision = router.route(answer, context)
        assert (decision.intent, decision.source) == (Intent.REFUND_REQUEST, "context")
        assert not decision.low_confidence


@pytest.mark.slow
def test_a_clear_new_request_overrides_the_session_context(router: IntentRouter) -> None:
    context = RoutingContext(last_intent=Intent.ETA, recent_order_ids=("ORD-1000001",))
    decision = router.route("I'd like to speak to a human agent please", context)
    assert (decision.intent, decision.source) == (Intent.HUMAN_AGENT, "knn")
    decision = router.route("I want a refund for ORD-1000001", context)
    assert (decision.intent, decision.source) == (Intent.REFUND_REQUEST, "knn")
    # Short and unsure between two refund intents: a new question, not a follow-up about ETA.
    decision = router.route("refund ORD-1000001", context)
    assert decision.source == "knn"
    assert decision.intent in (Intent.REFUND_REQUEST, Intent.REFUND_POLICY)


@pytest.mark.slow
def test_decision_is_a_valid_boundary_model(router: IntentRouter) -> None:
    decision = router.route("where's my stuff")
    again = RouteDecision.model_validate_json(decision.model_dump_json())
    assert again == decision
    assert 0 <= decision.confidence <= 1
    assert abs(sum(decision.scores.values()) - 1) < 0.05 or decision.low_confidence


@pytest.mark.slow
def test_routing_latency_stays_in_budget(router: IntentRouter) -> None:
    # The eval measures the 15 ms target; this guard only catches an order-of-magnitude slip
    # (e.g. re-encoding exemplars per call) on a busy CI box.
    timings = []
    for message in ["where is my parcel", "I want a refund for the broken lamp"] * 10:
        started = time.perf_counter()
        router.route(message)
        timings.append((time.perf_counter() - started) * 1000)
    assert statistics.median(timings) < 80


async def test_an_embedding_from_the_guardrail_spares_the_encoder_call() -> None:
    router = toy_router()
    encoder = router.encoder
    assert isinstance(encoder, AxisEncoder)
    alone = await router.aroute("track my parcel")
    calls = encoder.calls
    given = [float(x) for x in encoder.encode(["track my parcel"])[0]]
    encoder.calls = calls
    with_embedding = await router.aroute("track my parcel", embedding=given)
    assert encoder.calls == calls  # no encoder call of its own
    assert with_embedding == alone


@pytest.mark.parametrize("bad", [[1.0, 0.0], [float("nan")] * 5, []])
async def test_an_unusable_embedding_is_ignored(bad: list[float]) -> None:
    router = toy_router()
    encoder = router.encoder
    assert isinstance(encoder, AxisEncoder)
    calls = encoder.calls
    decision = await router.aroute("refund me", embedding=bad)
    assert encoder.calls == calls + 1  # embedded the message itself instead
    assert decision.intent is Intent.REFUND_REQUEST


@pytest.mark.slow
@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("quiero devolver las zapatillas, son muy pequeñas", Intent.INITIATE_RETURN),
        ("je veux être remboursé, le colis est cassé", Intent.REFUND_REQUEST),
        ("mein Paket ist nie angekommen", Intent.DELIVERY_DISPUTE),
        ("o pedido chegou quebrado, quero meu dinheiro", Intent.REFUND_REQUEST),
    ],
)
def test_requests_in_other_languages_reach_their_intent(
    router: IntentRouter, message: str, intent: Intent
) -> None:
    # The encoder is English: the order and question words are glossed first
    # (app/language/gloss.py, app/routing/intent_gloss.py).
    assert router.route(message).intent is intent


@pytest.mark.slow
@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("¿Dónde está mi pedido?", Intent.ORDER_STATUS),
        ("Waar blijft mijn pakket, wanneer komt het?", Intent.ETA),
        ("Er staat geleverd maar ik heb niks", Intent.DELIVERY_DISPUTE),
    ],
)
def test_questions_in_other_languages_are_routed_without_doubt(
    router: IntentRouter, message: str, intent: Intent
) -> None:
    # With only the order words glossed these were unsure (top vote 0.27-0.47): the question
    # word or verb carries the intent (app/routing/intent_gloss.py).
    decision = router.route(message)
    assert decision.intent is intent
    assert not decision.low_confidence, decision.scores
