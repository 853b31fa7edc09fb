"""The Ray-backed metrics sink: every replica's metrics reach Prometheus through Ray.

`app.observability.metrics` records into sinks. In a Serve replica the prometheus-client
registry is only readable through that process, and only the ingress serves `/metrics`;
`ray.util.metrics` go to the node's metrics agent, which Prometheus scrapes on every node
(`--metrics-export-port`, the KubeRay head and worker pods' metrics port). So each
deployment's constructor calls `enable_ray_metrics()` (the ingress's, through its adapters),
and the guardrail's blocks, the
router's decisions, the workers' tool failures and the reranker's scores are all scraped.
Ray prefixes the names with `ray_`; cluster/monitoring/prometheus.yml strips it for ours.
"""

from __future__ import annotations

from collections.abc import Mapping

from ray.util.metrics import Counter, Histogram

from app.observability.metrics import MetricSpec, add_sink


class RayMetricsSink:
    def __init__(self) -> None:
        self._metrics: dict[str, Counter | Histogram] = {}

    def _metric(self, spec: MetricSpec) -> Counter | Histogram:
        metric = self._metrics.get(spec.name)
        if metric is None:
            if spec.kind == "counter":
                metric = Counter(spec.name, spec.doc, tag_keys=spec.labels)
            else:
                metric = Histogram(
                    spec.name, spec.doc, boundaries=list(spec.buckets), tag_keys=spec.labels
                )
            self._metrics[spec.name] = metric
        return metric

    def inc(self, spec: MetricSpec, labels: Mapping[str, str], value: float) -> None:
        if value > 0:  # Ray counters refuse zero increments; a zero changes nothing anyway
            self._metric(spec).inc(value, tags=dict(labels))  # type: ignore[union-attr]

    def observe(self, spec: MetricSpec, labels: Mapping[str, str], value: float) -> None:
        self._metric(spec).observe(value, tags=dict(labels))  # type: ignore[union-attr]


def enable_ray_metrics() -> None:
    add_sink(RayMetricsSink())
