"""cluster/monitoring: the alert rules pass their promtool unit tests, and every metric name the
rules and the Grafana dashboard read exists (our catalogue, our recording rules, or vLLM's
engine metrics as Ray exports them)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from app.observability.metrics import CATALOGUE, VLLM_METRICS, exported_names

MONITORING = Path(__file__).resolve().parents[1] / "cluster" / "monitoring"
RULES = MONITORING / "alerts.yaml"
DASHBOARD = MONITORING / "grafana-dashboard.json"

# PromQL words that look like metric names but are functions, keywords or label names.
_PROMQL_WORDS = {
    "sum", "rate", "by", "histogram_quantile", "label_replace", "abs", "and", "on",
    "unless", "increase", "offset", "ignoring", "group_left", "or", "avg_over_time",
}  # fmt: skip
_SELECTOR = re.compile(r"(?<![\w:\"$])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=[\[{(]|$|\s|\)|/)")


def _rules() -> list[dict[str, object]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def recorded_names() -> set[str]:
    return {str(rule["record"]) for rule in _rules() if "record" in rule}


def metric_names(expr: str) -> set[str]:
    """Names of the series an expression selects (labels, strings and functions removed)."""
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r'"[^"]*"', '""', expr)  # string arguments (label_replace)
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # range windows
    expr = re.sub(r"\boffset\s+\w+", "", expr)  # offsets
    expr = re.sub(r"\b(by|on|ignoring|without)\s*\([^)]*\)", "", expr)  # grouping labels
    names = {m for m in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr)}
    return {n for n in names if n not in _PROMQL_WORDS and not re.fullmatch(r"\d.*|e\d+", n)}


def known_names() -> set[str]:
    return exported_names() | set(VLLM_METRICS) | recorded_names()


def test_metric_name_extraction() -> None:
    expr = (
        'sum by (tier) (rate(osa_tool_failures_total{code="x"}[5m])) / '
        'label_replace(rate(ray_vllm_prefix_cache_hits_total[15m]), "fleet", "$1", "a", "(.+)")'
    )
    assert metric_names(expr) == {"osa_tool_failures_total", "ray_vllm_prefix_cache_hits_total"}


def test_every_rule_reads_only_known_metrics() -> None:
    for rule in _rules():
        unknown = metric_names(str(rule["expr"])) - known_names()
        assert not unknown, f"{rule.get('alert') or rule.get('record')}: {unknown}"


def test_the_five_alerts_are_there() -> None:
    alerts = {rule["alert"] for rule in _rules() if "alert" in rule}
    assert alerts == {
        "OsaEscalationRateHigh",
        "OsaToolFailureRateHigh",
        "OsaTtftP95High",
        "OsaRerankerScoreShift",
        "OsaPrefixCacheHitRateLow",
    }


def test_dashboard_reads_only_known_metrics_and_covers_the_catalogue() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    used: set[str] = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            names = metric_names(target["expr"])
            unknown = names - known_names()
            assert not unknown, f"panel {panel['title']!r}: {unknown}"
            used |= names
    # Every metric of the catalogue is on the dashboard, under one of its exported names.
    for spec in CATALOGUE.values():
        assert any(name.startswith(spec.name) for name in used), spec.name


def test_vllm_names_exist_in_the_installed_vllm() -> None:
    """`ray_vllm_x_total` is vLLM's `vllm:x` through Ray (':' becomes '_', Ray adds `ray_`
    and the counter suffix): check the base names against vLLM's own source."""
    loggers = pytest.importorskip("vllm.v1.metrics.loggers")
    source = Path(loggers.__file__).read_text()
    for name in VLLM_METRICS:
        base = re.sub(r"_(total|bucket)$", "", name.removeprefix("ray_vllm_"))
        assert f'"vllm:{base}"' in source, name


def test_scrape_relabel_gives_ray_metrics_our_names() -> None:
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yaml"]
    for job in config["scrape_configs"]:
        (relabel,) = job["metric_relabel_configs"]
        renamed = re.sub(f"^(?:{relabel['regex']})$", relabel["replacement"].replace("$", "\\"),
                         "ray_osa_ttft_seconds_bucket")  # fmt: skip
        assert renamed == "osa_ttft_seconds_bucket"
        assert not re.fullmatch(relabel["regex"], "ray_vllm_prefix_cache_hits_total")


def test_alert_rules_pass_their_promtool_unit_tests() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (Debian package prometheus; scripts/bootstrap.sh)")
    checked = subprocess.run(
        [promtool, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run(
        [promtool, "test", "rules", "alerts_test.yaml"],
        cwd=MONITORING,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout + tested.stderr
