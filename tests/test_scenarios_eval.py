"""The negotiation scenario eval: its dev set is valid and reproducible, and its runner scores
real runs (a few scenarios here; `python -m evals.scenarios` runs them all)."""

from __future__ import annotations

import json

import pytest

from evals import scenario_fixtures
from evals.scenarios import DEFAULT_DATA, load, run, summarise


def test_the_dev_set_is_what_the_builder_writes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "scenarios.jsonl"
    scenario_fixtures.main(["--out", str(out)])
    assert out.read_text(encoding="utf-8") == DEFAULT_DATA.read_text(encoding="utf-8")


def test_the_dev_set_covers_every_branch() -> None:
    scenarios = load(DEFAULT_DATA)
    assert len(scenarios) >= 40
    assert len({s.id for s in scenarios}) == len(scenarios)
    raw = [json.loads(line) for line in DEFAULT_DATA.read_text(encoding="utf-8").splitlines()]
    faults = {op for row in raw for op, spec in row.get("faults", {}).items() for _ in spec}
    assert {"create_refund", "create_notification", "get_order"} <= faults
    assert any(s.expect.escalated for s in scenarios)
    assert any(s.expect.returns for s in scenarios)
    assert any(s.restart_before is not None for s in scenarios)
    assert any(s.sweep_after_s is not None for s in scenarios)
    assert any("you're wrong" in s.turns for s in scenarios)


@pytest.mark.parametrize("scenario_id", ["happy-0", "youre-wrong", "lost-response-past-retries"])
async def test_scenarios_run_against_a_fresh_platform(scenario_id: str) -> None:
    (scenario,) = [s for s in load(DEFAULT_DATA) if s.id == scenario_id]
    outcome = await run(scenario)
    assert outcome.completed, outcome.problems
    summary = summarise([outcome])
    assert summary["false_confirmations"] == 0 and summary["double_writes"] == 0
