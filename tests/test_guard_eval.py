"""The guard eval's data files load, and its latency bench reports every length."""

from __future__ import annotations

from pathlib import Path

from app.guardrails.guard import GuardrailVerdict
from app.guardrails.injection import InjectionVerdict
from evals.guard import BENCH_LENGTHS, GuardCase, length_bench, load_cases

DATA = Path(__file__).resolve().parents[1] / "evals" / "data"


def test_the_held_out_sets_hold_both_labels_in_many_kinds() -> None:
    for name in ("guard_dev.jsonl", "guard_unseen2.jsonl"):
        cases = load_cases(DATA / name)
        labels = {c.label for c in cases}
        assert labels == {"attack", "benign"}, name
        assert len({c.kind for c in cases}) >= 5, name
    unseen = load_cases(DATA / "guard_unseen2.jsonl")
    assert any(len(c.text) > 1500 for c in unseen if c.label == "attack")  # long jailbreaks


class _RecordingGuard:
    """A guardrail stand-in that records the lengths it is sent (the bench's own logic is what
    is under test here, not the model)."""

    def __init__(self) -> None:
        self.lengths: list[int] = []
        self.classifier = self

    def check(self, text: str) -> GuardrailVerdict:
        self.lengths.append(len(text))
        return GuardrailVerdict(
            scrubbed_text=text,
            pii_types=[],
            blocked=False,
            reason=None,
            injection_score=0.0,
            latency_ms=float(len(text)) / 100,
        )

    def classify(self, text: str) -> InjectionVerdict:
        return InjectionVerdict(is_attack=False, score=0.0, signals=[])


def test_the_length_bench_sends_each_length_and_reports_percentiles() -> None:
    guard = _RecordingGuard()
    cases = [GuardCase(text=f"message number {i} about a parcel", label="benign") for i in range(5)]
    report = length_bench(guard, cases)  # type: ignore[arg-type]
    assert set(report) == {f"chars_{n}" for n in BENCH_LENGTHS}
    assert set(guard.lengths) == set(BENCH_LENGTHS)
    row = report[f"chars_{BENCH_LENGTHS[-1]}"]
    assert row["guardrail_p50_ms"] == BENCH_LENGTHS[-1] / 100
    assert row["guardrail_p95_ms"] >= row["guardrail_p50_ms"]
