"""The scenario eval: its dev set is valid and reproducible, and its runner scores real runs
(a real platform per scenario, the real negotiation graph; the whole-pipeline tests add the
guardrail, the router, hydration and the other workers over a real local Redis).

`python -m evals.scenarios` runs them all."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from evals import scenario_fixtures
from evals.scenario_pipeline import AgentRuntime, agent_runtime
from evals.scenarios import DEFAULT_DATA, Scenario, load, run, summarise

CATEGORIES = {
    "partial orders",
    "item without an order number",
    "indirect phrasing",
    "question-then-yes",
    "question-then-no",
    "counter-offers",
    "lost receipt",
    "status-then-dispute",
    "fraud",
    "policy-only",
    "injected text",
    "address changes",
    "happy paths",
}


def scenario(scenario_id: str) -> Scenario:
    (found,) = [s for s in load(DEFAULT_DATA) if s.id == scenario_id]
    return found


def test_the_dev_set_is_what_the_builder_writes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "scenarios.jsonl"
    scenario_fixtures.main(["--out", str(out)])
    assert out.read_text(encoding="utf-8") == DEFAULT_DATA.read_text(encoding="utf-8")


def test_the_dev_set_covers_every_branch() -> None:
    scenarios = load(DEFAULT_DATA)
    assert len(scenarios) >= 150
    assert len({s.id for s in scenarios}) == len(scenarios)
    raw = [
        json.loads(line) for line in DEFAULT_DATA.read_text(encoding="utf-8").split("\n") if line
    ]
    faults = {op for row in raw for op, spec in row.get("faults", {}).items() for _ in spec}
    assert {"create_refund", "create_notification", "get_order"} <= faults
    assert any(s.expect.escalated for s in scenarios)
    assert any(s.expect.returns for s in scenarios)
    assert any(s.restart_before is not None for s in scenarios)
    assert any(s.sweep_after_s is not None for s in scenarios)
    assert any("you're wrong" in s.turns for s in scenarios)


def test_the_dev_set_has_every_category_in_many_voices() -> None:
    scenarios = load(DEFAULT_DATA)
    assert CATEGORIES <= {s.category for s in scenarios}
    for category in CATEGORIES:
        voices = {s.voice for s in scenarios if s.category == category and s.voice != "template"}
        assert len(voices) >= 4, (category, voices)
    # Not one opening line with slots: the written ones almost never share a first message.
    written = [s for s in scenarios if s.voice != "template"]
    assert len({s.turns[0] for s in written}) >= 0.95 * len(written)
    # Partial orders are real: the written households have orders of several items.
    assert any(
        len(o.items) >= 3
        for s in written
        for o in s.fixture.orders
        if s.category == "partial orders"
    )
    # A write expected after a later message names its consent turn.
    for s in written:
        for wanted in [*s.expect.refunds, *s.expect.returns]:
            assert wanted.turn is not None and wanted.turn < len(s.turns), s.id


# ---------------------------------------------------------------- the worker alone (fast)


@pytest.mark.parametrize("scenario_id", ["happy-0", "youre-wrong", "lost-response-past-retries"])
async def test_scenarios_run_against_a_fresh_platform(scenario_id: str) -> None:
    outcome = await run(scenario(scenario_id))
    assert outcome.completed, outcome.problems
    summary = summarise([outcome])
    assert summary["false_confirmations"] == 0 and summary["double_writes"] == 0


async def test_a_write_after_its_consent_turn_is_on_time() -> None:
    base = scenario("happy-0")  # [request, "yes"]: the refund follows message 1
    assert base.expect.refunds[0].turn is None
    on_time = base.model_copy(deep=True)
    on_time.expect.refunds[0].turn = 1
    outcome = await run(on_time)
    assert outcome.completed, outcome.problems
    assert outcome.writes_before_consent == 0
    assert list(outcome.write_turns.values()) == [1]


async def test_a_write_before_its_consent_turn_is_counted() -> None:
    # The same conversation with the consent expected one message later: the refund the
    # agent really wrote after message 1 came before it.
    early = scenario("happy-0").model_copy(deep=True)
    early.turns.append("thanks")
    early.expect.refunds[0].turn = 2
    outcome = await run(early)
    assert not outcome.completed
    assert outcome.writes_before_consent == 1
    assert summarise([outcome])["writes_before_consent"] == 1
    assert any("before its consent" in p for p in outcome.problems)


async def test_a_write_of_the_wrong_amount_is_a_wrong_write() -> None:
    wrong = scenario("happy-0").model_copy(deep=True)
    wrong.expect.refunds[0].amount = 50.0  # the agent refunds what the order cost, 89.99
    outcome = await run(wrong)
    assert not outcome.completed
    assert outcome.wrong_writes == 1
    assert summarise([outcome])["wrong_writes"] == 1
    right = await run(scenario("happy-0"))
    assert right.wrong_writes == 0


async def test_a_proposal_nobody_asked_for_is_counted() -> None:
    # "no": the customer asks for a refund, is offered one, declines. Declared as a
    # scenario where nothing was asked for, its proposal is one nobody asked for.
    asked = scenario("no")
    assert asked.expect.asks_for_write
    outcome = await run(asked)
    assert outcome.completed and outcome.proposals_without_request == 0
    unasked = asked.model_copy(deep=True)
    unasked.expect.asks_for_write = False
    outcome = await run(unasked)
    assert not outcome.completed
    assert outcome.proposals >= 1
    assert summarise([outcome])["proposals_without_request"] == outcome.proposals


# ---------------------------------------------------------------- the whole agent


@pytest.fixture(scope="module")
def runtime() -> Iterator[AgentRuntime]:
    with agent_runtime() as loaded:
        yield loaded


@pytest.mark.slow
@pytest.mark.parametrize(
    "scenario_id",
    [
        "happy-0",  # router → negotiation, proposal kept in Redis, "yes" writes
        "hand-policy-headphones-window",  # router → policy: no proposal, no write
        "hand-inject-admin-mode",  # the guardrail blocks: nothing routed
        "hand-status-only-in-transit",  # router → tracking fast path
    ],
)
async def test_the_whole_pipeline_runs_scenarios_end_to_end(
    runtime: AgentRuntime, scenario_id: str
) -> None:
    outcome = await run(scenario(scenario_id), runtime)
    assert outcome.completed, (outcome.problems, outcome.transcript)
    assert len(outcome.transcript) == 2 * len(outcome.scenario.turns)


@pytest.mark.slow
async def test_the_whole_pipeline_routes_each_turn_itself(runtime: AgentRuntime) -> None:
    outcome = await run(scenario("hand-inject-admin-mode"), runtime)
    routes = [line.split("]")[0] for line in outcome.transcript if line.startswith("agent")]
    assert routes == ["agent [guardrail"]  # blocked before the router: no route at all
    outcome = await run(scenario("happy-0"), runtime)
    assert [line.split(":")[0] for line in outcome.transcript[1::2]] == [
        "agent [negotiation]",
        "agent [negotiation]",
    ]


@pytest.mark.slow
async def test_the_whole_pipeline_counts_a_write_before_its_consent(
    runtime: AgentRuntime,
) -> None:
    early = scenario("happy-0").model_copy(deep=True)
    early.turns.append("thank you")
    early.expect.refunds[0].turn = 2
    outcome = await run(early, runtime)
    assert outcome.writes_before_consent == 1
    assert not outcome.completed


@pytest.mark.slow
async def test_the_live_check_returns_only_the_item_named_and_a_question_writes_nothing(
    runtime: AgentRuntime,
) -> None:
    """The issue's live conversation, through the whole pipeline: "return the scarf from ORD-…,
    it doesn't fit" proposes the scarf alone; "is that correct" writes nothing; "yes" writes
    that return, once."""
    from evals.scenario_authoring import KENJI, SCARF, city, household, ret
    from evals.scenario_authoring import scenario as authored

    data = household(KENJI, city())
    line = authored(
        "live-check",
        "question-then-yes",
        "polite",
        data,
        [
            "I want to return the scarf from ORD-7311025, it doesn't fit",
            "is that correct",
            "yes please",
        ],
        returns=[ret("ORD-7311025", [SCARF], 2)],
    )
    outcome = await run(Scenario.model_validate(line), runtime)
    assert outcome.completed, (outcome.problems, outcome.transcript)
    assert outcome.writes_before_consent == 0 and outcome.wrong_writes == 0
    assert "Trail Running Shoes" not in outcome.transcript[1]


@pytest.mark.slow
async def test_a_request_the_router_sends_to_tracking_reaches_negotiation(
    runtime: AgentRuntime,
) -> None:
    # "I don't HAVE a receipt ... Headphones never arrived.": the router's vote says tracking;
    # the case reader reads a parcel the carrier shows delivered and the customer lacks.
    outcome = await run(scenario("hand-receipt-headphones-angry"), runtime)
    assert outcome.completed, (outcome.problems, outcome.transcript)
    assert outcome.transcript[1].startswith("agent [negotiation]")


@pytest.mark.slow
async def test_an_item_set_nobody_can_resolve_gets_one_question_and_no_write(
    runtime: AgentRuntime,
) -> None:
    """ "the garment" is as near the hoodie as the t-shirts (read by meaning): one question
    naming the order's lines, nothing proposed or written; the customer's answer then names the
    t-shirts by other words, and only they are returned, after the yes."""
    from evals.scenario_authoring import scenario as authored
    from evals.scenario_unseen2 import JOAO, TEE, tech

    data = tech(JOAO)
    asked = authored(
        "garment-ambiguous",
        "ambiguous item",
        "terse",
        data,
        ["return the garment from ORD-7530260, doesn't fit"],
        asks_for_write=True,
    )
    outcome = await run(Scenario.model_validate(asked), runtime)
    assert outcome.completed, (outcome.problems, outcome.transcript)
    assert outcome.proposals == 0 and outcome.wrong_writes == 0
    question = outcome.transcript[1]
    assert "Organic Cotton Hoodie" in question and "Crew Neck T-Shirt" in question
    assert "Shall I go ahead" not in question
    answered = authored(
        "garment-then-tees",
        "ambiguous item",
        "terse",
        data,
        ["return the garment from ORD-7530260, doesn't fit", "the tees", "yes"],
        returns=[{"order_id": "ORD-7530260", "skus": [TEE], "turn": 2}],
    )
    outcome = await run(Scenario.model_validate(answered), runtime)
    assert outcome.completed, (outcome.problems, outcome.transcript)
    assert outcome.writes_before_consent == 0 and outcome.wrong_writes == 0
