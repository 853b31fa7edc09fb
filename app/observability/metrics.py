"""The agent's metrics: one catalogue, a small recording API, pluggable sinks.

Why sinks: the Serve graph runs the guardrail, router and workers in their own replicas, often
on other nodes, and a prometheus-client registry is only visible through the process that
serves it (the ingress's `GET /metrics`). Prometheus scrapes Ray's per-node metrics export
instead, which carries `ray.util.metrics` from every replica. `app/` never imports Ray, so
this module records into a `MetricsSink` interface: the prometheus-client sink is always on
(tests, local runs, the ingress's `/metrics`), and `deployments/metrics.py` adds a Ray-backed
sink in every replica. Ray exports a metric `osa_x` as `ray_osa_x`; the scrape config in
`cluster/monitoring/prometheus.yml` strips that prefix, so rules and dashboards use one name
(see `exported_name`). Counters carry `_total` in both exports.

Every metric is declared once in `CATALOGUE` (name, kind, labels, buckets); the dashboard and
alert tests check every name they use against it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

from app.llm.client import Usage
from app.observability.prices import PriceTable, load_price_table

MetricKind = Literal["counter", "histogram"]

_LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
_RATE_BUCKETS = (1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 50.0, 75.0, 100.0, 150.0, 250.0)
# MaxSim scores are mean cosines plus small bonuses: 0.2-0.9 in practice, so fine steps there.
_SCORE_BUCKETS = (0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 1.0)
_COST_BUCKETS = (1e-6, 1e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 5e-2)


@dataclass(frozen=True)
class MetricSpec:
    name: str  # base name; counters are exported with `_total` appended
    kind: MetricKind
    doc: str
    labels: tuple[str, ...]
    buckets: tuple[float, ...] = ()


def _spec(
    name: str, kind: MetricKind, doc: str, *labels: str, buckets: tuple[float, ...] = ()
) -> MetricSpec:
    return MetricSpec(name, kind, doc, labels, buckets)


CATALOGUE: dict[str, MetricSpec] = {
    s.name: s
    for s in (
        _spec(
            "osa_ttft_seconds",
            "histogram",
            "Time from request to the first visible response token, per tier.",
            "tier",
            buckets=_LATENCY_BUCKETS,
        ),
        _spec(
            "osa_turn_seconds",
            "histogram",
            "Whole chat turn latency (end to end), per tier.",
            "tier",
            buckets=_LATENCY_BUCKETS,
        ),
        _spec("osa_requests", "counter", "Chat turns by route and intent.", "route", "intent"),
        _spec(
            "osa_turn_outcomes",
            "counter",
            "Chat turns by outcome: completed, escalated, failed, blocked.",
            "route",
            "outcome",
        ),
        _spec("osa_escalations", "counter", "Conversations handed to a human, per tier.", "tier"),
        _spec(
            "osa_tool_calls",
            "counter",
            "Tool calls by tier, tool and result (ok or error).",
            "tier",
            "tool",
            "result",
        ),
        _spec(
            "osa_tool_failures",
            "counter",
            "Failed tool calls by tier, tool and error code.",
            "tier",
            "tool",
            "code",
        ),
        _spec("osa_guardrail_checks", "counter", "Messages the guardrail judged.", "result"),
        _spec("osa_guardrail_blocks", "counter", "Blocked messages, by reason.", "reason"),
        _spec(
            "osa_router_decisions",
            "counter",
            "Routing decisions by intent, source and confidence bucket (low_confidence).",
            "intent",
            "source",
            "low_confidence",
        ),
        _spec(
            "osa_reranker_top_score",
            "histogram",
            "Score of the reranker's top hit per policy search.",
            buckets=_SCORE_BUCKETS,
        ),
        _spec("osa_llm_prompt_tokens", "counter", "Prompt tokens sent.", "tier", "endpoint"),
        _spec(
            "osa_llm_cached_prompt_tokens",
            "counter",
            "Prompt tokens served from the engine's prefix cache.",
            "tier",
            "endpoint",
        ),
        _spec("osa_llm_completion_tokens", "counter", "Tokens generated.", "tier", "endpoint"),
        _spec(
            "osa_llm_output_tokens_per_second",
            "histogram",
            "Generated tokens per second after the first token, per turn and tier.",
            "tier",
            buckets=_RATE_BUCKETS,
        ),
        _spec(
            "osa_llm_cost_usd",
            "counter",
            "Estimated model spend (tokens x the price table), per tier and endpoint.",
            "tier",
            "endpoint",
        ),
        _spec(
            "osa_turn_cost_usd",
            "histogram",
            "Estimated model spend of one chat turn, per tier.",
            "tier",
            buckets=_COST_BUCKETS,
        ),
    )
}

# vLLM's own engine metrics that rules and dashboards read (vLLM 0.32, vllm/v1/metrics/
# loggers.py). Under Ray Serve LLM (`log_engine_metrics`, default on) they are exported
# through Ray: `vllm:prefix_cache_hits` becomes `ray_vllm_prefix_cache_hits_total`, labelled
# `model_name` (the fleet id) and `engine`.
VLLM_METRICS = (
    "ray_vllm_prefix_cache_queries_total",
    "ray_vllm_prefix_cache_hits_total",
    "ray_vllm_time_to_first_token_seconds_bucket",
    "ray_vllm_generation_tokens_total",
    "ray_vllm_prompt_tokens_total",
)


def exported_names() -> set[str]:
    """Every series name Prometheus sees for the catalogue (after the scrape relabel)."""
    names: set[str] = set()
    for spec in CATALOGUE.values():
        if spec.kind == "counter":
            names.add(spec.name + "_total")
        else:
            names.update(spec.name + suffix for suffix in ("_bucket", "_sum", "_count"))
    return names


class MetricsSink(Protocol):
    def inc(self, spec: MetricSpec, labels: Mapping[str, str], value: float) -> None: ...

    def observe(self, spec: MetricSpec, labels: Mapping[str, str], value: float) -> None: ...


class PrometheusSink:
    """prometheus-client metrics, created on first use in `registry`."""

    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        self.registry = registry
        self._metrics: dict[str, Counter | Histogram] = {}
        self._lock = threading.Lock()

    def _metric(self, spec: MetricSpec) -> Counter | Histogram:
        metric = self._metrics.get(spec.name)
        if metric is None:
            with self._lock:
                metric = self._metrics.get(spec.name)
                if metric is None:
                    if spec.kind == "counter":
                        metric = Counter(spec.name, spec.doc, spec.labels, registry=self.registry)
                    else:
                        metric = Histogram(
                            spec.name,
                            spec.doc,
                            spec.labels,
                            buckets=spec.buckets,
                            registry=self.registry,
                        )
                    self._metrics[spec.name] = metric
        return metric

    def _labelled(self, spec: MetricSpec, labels: Mapping[str, str]) -> Counter | Histogram:
        metric = self._metric(spec)
        return metric.labels(**labels) if spec.labels else metric

    def inc(self, spec: MetricSpec, labels: Mapping[str, str], value: float) -> None:
        self._labelled(spec, labels).inc(value)  # type: ignore[union-attr]

    def observe(self, spec: MetricSpec, labels: Mapping[str, str], value: float) -> None:
        self._labelled(spec, labels).observe(value)  # type: ignore[union-attr]


_prometheus = PrometheusSink()
_sinks: list[MetricsSink] = [_prometheus]
_prices: PriceTable | None = None


def add_sink(sink: MetricsSink) -> None:
    """Adds a sink (the Ray one in Serve replicas); idempotent per sink type."""
    if not any(type(s) is type(sink) for s in _sinks):
        _sinks.append(sink)


def _emit(name: str, value: float, **labels: str) -> None:
    spec = CATALOGUE[name]
    if set(labels) != set(spec.labels):
        raise ValueError(f"{name} takes labels {spec.labels}, got {sorted(labels)}")
    for sink in _sinks:
        if spec.kind == "counter":
            sink.inc(spec, labels, value)
        else:
            sink.observe(spec, labels, value)


def price_table() -> PriceTable:
    global _prices
    if _prices is None:
        _prices = load_price_table()
    return _prices


def set_price_table(table: PriceTable | None) -> None:
    """Replaces the price table (tests; None reloads from the environment on next use)."""
    global _prices
    _prices = table


# ---------------------------------------------------------------- the recording API


def observe_ttft(tier: str, seconds: float) -> None:
    _emit("osa_ttft_seconds", seconds, tier=tier)


def observe_turn(tier: str, seconds: float) -> None:
    _emit("osa_turn_seconds", seconds, tier=tier)


def count_request(route: str, intent: str) -> None:
    _emit("osa_requests", 1, route=route, intent=intent)


def count_turn_outcome(route: str, outcome: str) -> None:
    _emit("osa_turn_outcomes", 1, route=route, outcome=outcome)


def count_escalation(tier: str) -> None:
    _emit("osa_escalations", 1, tier=tier)


def count_tool_call(tier: str, tool: str, *, ok: bool, code: str | None = None) -> None:
    _emit("osa_tool_calls", 1, tier=tier, tool=tool, result="ok" if ok else "error")
    if not ok:
        _emit("osa_tool_failures", 1, tier=tier, tool=tool, code=code or "unknown")


def count_guardrail(*, blocked: bool, reason: str | None) -> None:
    _emit("osa_guardrail_checks", 1, result="blocked" if blocked else "allowed")
    if blocked:
        _emit("osa_guardrail_blocks", 1, reason=reason or "unspecified")


def count_route_decision(intent: str, source: str, *, low_confidence: bool) -> None:
    _emit(
        "osa_router_decisions",
        1,
        intent=intent,
        source=source,
        low_confidence="true" if low_confidence else "false",
    )


def observe_rerank_top_score(score: float) -> None:
    _emit("osa_reranker_top_score", score)


def record_usage(tier: str, endpoint: str, usage: Usage) -> float:
    """Counts a model call's tokens; returns its estimated cost in USD (the price table's)."""
    cached = usage.cached_prompt_tokens or 0
    _emit("osa_llm_prompt_tokens", usage.prompt_tokens, tier=tier, endpoint=endpoint)
    _emit("osa_llm_cached_prompt_tokens", cached, tier=tier, endpoint=endpoint)
    _emit("osa_llm_completion_tokens", usage.completion_tokens, tier=tier, endpoint=endpoint)
    cost = price_table().cost(endpoint, usage)
    _emit("osa_llm_cost_usd", cost, tier=tier, endpoint=endpoint)
    return cost


def observe_turn_cost(tier: str, usd: float) -> None:
    _emit("osa_turn_cost_usd", usd, tier=tier)


def observe_output_rate(tier: str, tokens: int, seconds: float) -> None:
    """Generation speed of a turn: tokens after the first one over the time they took."""
    if tokens > 1 and seconds > 0:
        _emit("osa_llm_output_tokens_per_second", (tokens - 1) / seconds, tier=tier)


def exposition() -> tuple[bytes, str]:
    return generate_latest(_prometheus.registry), CONTENT_TYPE_LATEST
