"""The supervisor: one embedding, a kNN vote over labelled exemplars, and a route.

`route()` is synchronous and costs one encoder call plus a (n_exemplars x 384) dot product.
When the vote is weak the decision is flagged `low_confidence`; `aroute()` then asks an
optional LLM fallback, whose answer only counts when it is one of the known labels.

Short follow-ups ("yes please", "and the other one?") carry no intent of their own: they are
recognised by a separate internal exemplar label (never returned) or by being short and
unclear, and inherit the intent of the session's previous turn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from app.observability.metrics import count_route_decision
from app.routing.exemplar_index import (
    DEFAULT_CACHE_DIR,
    DEFAULT_EXEMPLAR_FILES,
    Encoder,
    ExemplarIndex,
    load_index,
    prepare_text,
)
from app.routing.intents import INTENT_LABELS, Intent, Route, route_for

# Exemplar label of context-dependent follow-ups; internal, never part of a decision.
FOLLOWUP_LABEL = "_followup"

# Tuned on evals/data/intents_dev.jsonl (`python -m evals.intents --sweep`): k=5 with squared
# similarity weights gave the best dev accuracy. Confidence is the winner's share of the vote
# (of the candidates it best separated misroutes from correct routes); the similarity floor
# flags messages unlike every exemplar however the vote splits. 0.60/0.40 is the sweep's elbow:
# 14% of dev messages go low and 4 of 7 misroutes with them (0.55: 9%, 2 of 7; 0.65: 24%).
DEFAULT_K = 5
DEFAULT_WEIGHT_POWER = 2.0
DEFAULT_LOW_CONFIDENCE = 0.60
DEFAULT_SIMILARITY_FLOOR = 0.40
# A follow-up is short: "what about the second order" is 5 words.
FOLLOWUP_MAX_WORDS = 6

_WORD = re.compile(r"[\w'-]+")

Source = Literal["knn", "llm", "context"]


class RoutingContext(BaseModel):
    """What the session knows from earlier turns."""

    model_config = ConfigDict(frozen=True)

    last_intent: Intent | None = None
    pending_confirmation: bool = False
    recent_order_ids: tuple[str, ...] = ()


class RouteDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    intent: Intent
    route: Route
    confidence: float = Field(ge=0, le=1)
    low_confidence: bool
    source: Source
    scores: dict[str, float] = Field(
        description="Share of the similarity-weighted kNN vote per public label."
    )


class LlmIntentFallback(Protocol):
    """A constrained LLM classifier consulted only for low-confidence messages."""

    async def classify(self, text: str, labels: list[str], context: str | None) -> str | None: ...


class IntentRouter:
    def __init__(
        self,
        index: ExemplarIndex,
        encoder: Encoder,
        *,
        k: int = DEFAULT_K,
        weight_power: float = DEFAULT_WEIGHT_POWER,
        low_confidence: float = DEFAULT_LOW_CONFIDENCE,
        similarity_floor: float = DEFAULT_SIMILARITY_FLOOR,
        fallback: LlmIntentFallback | None = None,
    ) -> None:
        unknown = set(index.labels) - set(INTENT_LABELS) - {FOLLOWUP_LABEL}
        if unknown:
            raise ValueError(f"exemplars carry unknown labels: {sorted(unknown)}")
        self.index = index
        self.encoder = encoder
        self._vectors = index.vectors
        self._labels: tuple[str, ...] = (*INTENT_LABELS, FOLLOWUP_LABEL)
        self._label_ids = np.array([self._labels.index(label) for label in index.labels])
        self._followup_id = len(self._labels) - 1
        self.k = min(k, len(index.labels))
        self.weight_power = weight_power
        self.low_confidence = low_confidence
        self.similarity_floor = similarity_floor
        self.fallback = fallback

    @classmethod
    def load(
        cls,
        encoder: Encoder | None = None,
        *,
        paths: Sequence[Path] = DEFAULT_EXEMPLAR_FILES,
        cache_dir: Path | None = DEFAULT_CACHE_DIR,
        fallback: LlmIntentFallback | None = None,
    ) -> IntentRouter:
        if encoder is None:
            from app.routing.embeddings import shared_encoder

            encoder = shared_encoder()
        index = load_index(encoder, paths=paths, cache_dir=cache_dir)
        return cls(index, encoder, fallback=fallback)

    # ------------------------------------------------------------------ classification

    def embed(self, message: str) -> np.ndarray:
        return np.asarray(self.encoder.encode([prepare_text(message)])[0], dtype=np.float32)

    def vote(self, query: np.ndarray) -> tuple[np.ndarray, float]:
        """Share of the similarity-weighted kNN vote per label (incl. the follow-up label),
        and the similarity of the nearest exemplar."""
        sims = self._vectors @ query
        top = np.argpartition(-sims, self.k - 1)[: self.k]
        # Squared similarity: a near-paraphrase outvotes several loose matches.
        weights = np.maximum(sims[top], 1e-6) ** self.weight_power
        votes = np.zeros(len(self._labels), dtype=np.float64)
        np.add.at(votes, self._label_ids[top], weights)
        return votes / votes.sum(), float(sims[top].max())

    def route(self, message: str, context: RoutingContext | None = None) -> RouteDecision:
        return self.route_embedded(message, self.embed(message), context)

    def route_embedded(
        self, message: str, query: np.ndarray, context: RoutingContext | None = None
    ) -> RouteDecision:
        """`route()` for a message whose embedding is already known (evals, batch replays)."""
        votes, nearest = self.vote(query)
        public = votes[: self._followup_id]
        best = int(np.argmax(public))
        confidence = float(public[best])
        low = confidence < self.low_confidence or nearest < self.similarity_floor
        if context is not None and context.pending_confirmation and context.last_intent:
            # Every reply to an open proposal goes back to the worker that proposed: its
            # consent reader tells a yes from a question, a counter-offer or a change of
            # subject. Routed anywhere else, "is that the full amount?" would drop the
            # proposal, and the "yes" that follows would land in a worker with nothing to do.
            return _decision(
                context.last_intent, confidence, low=False, source="context", votes=public
            )
        if context is not None and context.last_intent is not None:
            if self._is_followup(message, votes, low, context):
                return _decision(
                    context.last_intent,
                    max(confidence, float(votes[self._followup_id])),
                    low=False,
                    source="context",
                    votes=public,
                )
        # A bare "yes" with nothing to follow up on is unclear whatever its nearest intent.
        if int(np.argmax(votes)) == self._followup_id:
            low = True
        return _decision(
            Intent(INTENT_LABELS[best]), confidence, low=low, source="knn", votes=public
        )

    async def aroute(
        self,
        message: str,
        context: RoutingContext | None = None,
        *,
        fallback_context: str | None = None,
        embedding: Sequence[float] | None = None,
    ) -> RouteDecision:
        """`route()`, then the LLM fallback for a low-confidence decision (when one is set).
        `embedding`: the message's embedding (`embed()`'s), when the guardrail computed it in
        its own encoder call; anything else than one 384-wide vector is ignored.

        The served path: each call is counted once, with the kNN vote's confidence bucket
        (the low-confidence rate) and the final intent and source."""
        query = _usable(embedding, self._vectors.shape[1])
        if query is None:
            knn = self.route(message, context)
        else:
            knn = self.route_embedded(message, query, context)
        decision = await self._settle(message, knn, fallback_context)
        # The bucket is the kNN vote's: the rate of messages it was unsure of, settled or not.
        count_route_decision(
            decision.intent.value, decision.source, low_confidence=knn.low_confidence
        )
        return decision

    async def _settle(
        self, message: str, decision: RouteDecision, fallback_context: str | None
    ) -> RouteDecision:
        if not decision.low_confidence or self.fallback is None:
            return decision
        answer = await self.fallback.classify(message, list(INTENT_LABELS), fallback_context)
        if answer not in INTENT_LABELS:
            # Anything outside the closed label set (None, prose, a made-up label) is ignored.
            return decision
        return _decision(
            Intent(answer),
            decision.confidence,
            low=False,
            source="llm",
            votes=np.array([decision.scores[label] for label in INTENT_LABELS]),
        )

    def _is_followup(
        self, message: str, votes: np.ndarray, low: bool, context: RoutingContext
    ) -> bool:
        if int(np.argmax(votes)) == self._followup_id:
            return True
        words = _WORD.findall(message)
        if len(words) > FOLLOWUP_MAX_WORDS:
            return False
        if low:
            return True
        # Right after a question of ours, or after we listed orders, a short reply that looks
        # at all like a follow-up ("ok ORD-123", "yes, that one") is one.
        mentions_recent = any(order_id in message for order_id in context.recent_order_ids)
        if not (context.pending_confirmation or mentions_recent):
            return False
        return bool(votes[self._followup_id] >= 0.5 * votes[: self._followup_id].max())


def _usable(embedding: Sequence[float] | None, width: int) -> np.ndarray | None:
    if embedding is None:
        return None
    query = np.asarray(embedding, dtype=np.float32)
    if query.shape != (width,) or not np.all(np.isfinite(query)):
        return None
    return query


def _decision(
    intent: Intent, confidence: float, *, low: bool, source: Source, votes: np.ndarray
) -> RouteDecision:
    return RouteDecision(
        intent=intent,
        route=route_for(intent),
        confidence=round(min(max(confidence, 0.0), 1.0), 4),
        low_confidence=low,
        source=source,
        scores={label: round(float(v), 4) for label, v in zip(INTENT_LABELS, votes, strict=True)},
    )
