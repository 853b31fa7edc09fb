"""The Policy agent: the grounding check rule by rule, the evidence it shows the model, the
turn with a fake model and search, and (slow) the real model over real retrieval."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from app.agents.base import WorkerDeps
from app.agents.events import ChatEvent, EventType
from app.agents.grounding import GroundingCheck, Statement, makes_promise, values_in
from app.agents.policy import (
    FALLBACK_LEAD,
    NOTHING_FOUND,
    SEARCH_UNAVAILABLE,
    UNKNOWN_CODES,
    UNKNOWN_SKUS,
    PolicyAgent,
    choice_schema,
)
from app.agents.policy_evidence import candidate_lines, detect_category, plan_query, rank_lines
from app.agents.policy_retrieval import OnDemandPolicySearch, milvus_readiness
from app.agents.worker import WorkerRequest
from app.llm.client import Completion, ModelUnavailable
from app.llm.endpoints import TierModels
from app.llm.prompts import PromptRegistry
from app.platform.client import CustomerRef
from app.platform.contract import Category, Region, ReturnWindow, Tier
from app.platform.errors import PlatformError
from app.retrieval.settings import RetrievalSettings
from app.tools.definitions import CustomerContext
from app.tools.executor import ToolExecutor
from app.tools.spec import PolicyChunk

KB_DIR = Path(__file__).resolve().parents[1] / "kb"
SKU_B_ID = "b" * 32
TABLE_ID = "7" * 32
REFUND_ID = "f" * 32
SKU_B_WINDOW = ReturnWindow(
    client_id="globex",
    sku="SKU-9942-B",
    category=Category.ACCESSORIES,
    region=Region.US,
    tier=Tier.GOLD,
    returnable=True,
    window_days=14,
    policy_code="GBX-9942-B-R14",
    basis="sku_rule",
)

SKU_B = PolicyChunk(
    chunk_id=SKU_B_ID,
    source_doc="globex/laptop-stands-sku-rules.md",
    section="SKU-9942-B: ErgoLift Laptop Stand (Space Grey)",
    text=(
        "Globex ErgoLift laptop stands — SKU-9942-B: ErgoLift Laptop Stand (Space Grey)\n\n"
        "SKU-9942-B can be returned within 14 days of delivery under policy code "
        "GBX-9942-B-R14. The window does not change by region or tier, so a Gold member "
        "also has 14 days for SKU-9942-B."
    ),
    score=0.9,
)
WINDOWS = PolicyChunk(
    chunk_id=TABLE_ID,
    source_doc="northwind/returns-policy-uk.md",
    section="Return windows by category and tier",
    text=(
        "Northwind returns policy (United Kingdom) — Return windows by category and tier\n\n"
        "Windows are counted in calendar days from the delivery date.\n\n"
        "| Category | Policy code | Standard | Silver | Gold |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| Apparel | NWO-UK-APPA-R28 | 28 days | 43 days | 58 days |\n"
        "| Footwear | NWO-UK-FOOT-R28 | 28 days | 43 days | 58 days |\n\n"
        "Returns by Royal Mail are free; DPD collection costs £3.95 and takes two business "
        "days to book."
    ),
    score=0.8,
)
REFUNDS = PolicyChunk(
    chunk_id=REFUND_ID,
    source_doc="kestrel/refunds-timing-and-methods.md",
    section="How refunds are approved",
    text=(
        "Kestrel refund timing and methods — How refunds are approved\n\n"
        "Refunds up to 100 for Standard members, 200 for Silver members and 400 for Gold "
        "members are approved immediately, in your store's currency."
    ),
    score=0.7,
)


def check(*chunks: PolicyChunk, platform: Sequence[str] = ()) -> GroundingCheck:
    return GroundingCheck({c.chunk_id: c.text for c in chunks}, platform_facts=platform)


# ---------------------------------------------------------------- the grounding check


def test_a_statement_copied_from_its_chunk_is_grounded() -> None:
    text = "SKU-9942-B can be returned within 14 days of delivery under policy code GBX-9942-B-R14."
    verdict = check(SKU_B).statement(Statement(text, SKU_B_ID))
    assert verdict.grounded and verdict.reason is None and verdict.overlap == 1.0


def test_a_shortened_statement_is_grounded() -> None:
    verdict = check(SKU_B).statement(
        Statement("A Gold member has 14 days to return SKU-9942-B.", SKU_B_ID)
    )
    assert verdict.grounded


def test_citing_a_chunk_that_was_not_retrieved_is_ungrounded() -> None:
    text = "SKU-9942-B can be returned within 14 days of delivery."
    verdict = check(SKU_B).statement(Statement(text, "c" * 32))
    assert not verdict.grounded and verdict.reason == "citation_not_retrieved"


def test_a_number_not_in_the_cited_chunk_is_ungrounded() -> None:
    text = "SKU-9942-B can be returned within 30 days of delivery under policy code GBX-9942-B-R14."
    verdict = check(SKU_B).statement(Statement(text, SKU_B_ID))
    assert not verdict.grounded
    assert verdict.reason == "unsupported_value" and verdict.unsupported == ("30",)


def test_a_number_from_another_retrieved_chunk_does_not_count() -> None:
    # 58 is in the windows table, which was retrieved, but not in the chunk this cites.
    text = "SKU-9942-B can be returned within 58 days of delivery."
    verdict = check(SKU_B, WINDOWS).statement(Statement(text, SKU_B_ID))
    assert verdict.reason == "unsupported_value"


def test_numbers_are_compared_as_whole_tokens() -> None:
    # "5" appears inside "58", "28 days" and the codes, but never on its own.
    text = "Apparel can be returned within 5 days by Gold members."
    verdict = check(WINDOWS).statement(Statement(text, TABLE_ID))
    assert verdict.reason == "unsupported_value" and verdict.unsupported == ("5",)


def test_a_look_alike_identifier_is_ungrounded() -> None:
    text = "SKU-9942-A can be returned within 14 days of delivery."
    verdict = check(SKU_B).statement(Statement(text, SKU_B_ID))
    assert verdict.reason == "unsupported_value" and "SKU-9942-A" in verdict.unsupported


def test_a_number_from_the_platform_output_is_allowed() -> None:
    window = '{"sku": "SKU-9942-B", "window_days": 21, "policy_code": "GBX-9942-B-R21"}'
    text = "SKU-9942-B can be returned within 21 days of delivery."
    assert not check(SKU_B).statement(Statement(text, SKU_B_ID)).grounded
    assert check(SKU_B, platform=[window]).statement(Statement(text, SKU_B_ID)).grounded


def test_number_words_are_numbers() -> None:
    grounded = "DPD collection costs £3.95 and takes 2 business days to book."
    wrong = "DPD collection costs £3.95 and takes three business days to book."
    assert check(WINDOWS).statement(Statement(grounded, TABLE_ID)).grounded
    verdict = check(WINDOWS).statement(Statement(wrong, TABLE_ID))
    assert verdict.reason == "unsupported_value" and verdict.unsupported == ("3",)


def test_amounts_keep_their_currency() -> None:
    assert values_in("costs £3.95") == {"3.95", "£3.95"}
    assert values_in("1,700 EUR") == {"1700"}
    euro = "DPD collection costs €3.95 in the UK."
    assert check(WINDOWS).statement(Statement(euro, TABLE_ID)).unsupported == ("€3.95",)


def test_a_statement_about_something_else_is_ungrounded() -> None:
    text = "Gift cards bought abroad can be exchanged at any partner boutique near the airport."
    verdict = check(SKU_B).statement(Statement(text, SKU_B_ID))
    assert verdict.reason == "low_overlap" and verdict.overlap < 0.6


def test_a_statement_without_policy_content_is_ungrounded() -> None:
    verdict = check(SKU_B).statement(Statement("Yes, of course!", SKU_B_ID))
    assert verdict.reason == "too_short"


def test_a_promise_is_ungrounded_even_when_it_overlaps() -> None:
    text = (
        "Refunds up to 200 for Silver members are approved immediately: "
        "your refund has been approved."
    )
    verdict = check(REFUNDS).statement(Statement(text, REFUND_ID))
    assert verdict.reason == "promise"
    assert makes_promise("I have started your return.")
    assert makes_promise("I will refund you today.")
    # Policy text describing what happens is not a promise.
    assert not makes_promise("We send a replacement straight away or refund you in full.")
    assert not makes_promise("Report it within 7 days and we will replace it or refund it.")


def test_an_answer_is_grounded_only_when_every_statement_is() -> None:
    good = Statement("Refunds up to 200 for Silver members are approved immediately.", REFUND_ID)
    bad = Statement("Refunds up to 300 for Silver members are approved immediately.", REFUND_ID)
    gate = check(REFUNDS)
    assert gate.answer([good]).grounded
    report = gate.answer([good, bad])
    assert not report.grounded and [v.statement for v in report.failures] == [bad]
    assert report.summary() == "ungrounded (unsupported_value: 300)"
    assert not gate.answer([]).grounded


# ---------------------------------------------------------------- what the model is shown


def test_table_rows_become_lines_for_the_customers_tier_region_and_category() -> None:
    lines = [
        line.text for line in candidate_lines(WINDOWS, tier="Gold", region="UK", category="apparel")
    ]
    assert (
        "Return windows by category and tier, Apparel: policy code NWO-UK-APPA-R28, Gold 58 days."
        in lines
    )
    assert not any("Footwear" in line or "43 days" in line for line in lines)
    # Every rendered line is grounded in its chunk.
    gate = check(WINDOWS)
    assert all(gate.statement(Statement(text, TABLE_ID)).grounded for text in lines)


def test_every_line_the_agent_can_show_from_the_kb_passes_the_check() -> None:
    """The renderer is faithful (table rows keep their chunk's values) and the promise rules
    do not flag the policy documents' own wording, for every tier and region."""
    from app.retrieval.chunking import chunk_documents
    from app.retrieval.kb_format import read_kb

    chunks = [
        PolicyChunk(
            chunk_id=c.chunk_id, source_doc=c.source_doc, section=c.section, text=c.text, score=0
        )
        for c in chunk_documents(read_kb(KB_DIR))
    ]
    gate = check(*chunks)
    shown = failed = 0
    for chunk in chunks:
        for tier in Tier:
            for region in Region:
                for line in candidate_lines(chunk, tier=tier.value, region=region.value):
                    shown += 1
                    failed += not gate.statement(Statement(line.text, chunk.chunk_id)).grounded
    assert shown > 1000 and failed == 0


def test_the_query_carries_tier_and_the_detected_category() -> None:
    assert detect_category("How long can I return my phone case?") is Category.ACCESSORIES
    assert detect_category("Can I send back my running shoes?") is Category.FOOTWEAR
    assert detect_category("What is your policy?") is None
    plan = plan_query("How long do I have to return a jacket?", tier="Gold", region="UK")
    assert plan.category == "apparel"
    assert "Gold tier" in plan.query and "apparel" in plan.query


def test_the_best_line_answers_the_question_and_look_alike_skus_are_left_out() -> None:
    sku_a = SKU_B.model_copy(
        update={
            "chunk_id": "a" * 32,
            "text": "Stands — SKU-9942-A\n\nSKU-9942-A can be returned within 30 days of delivery.",
        }
    )
    plan = plan_query("How long do I have to return SKU-9942-B?", tier="Gold", region="US")
    ranked = rank_lines(plan, [sku_a, SKU_B])
    assert ranked[0].chunk_id == SKU_B_ID and "14 days" in ranked[0].text
    assert not any("SKU-9942-A" in line.text for line in ranked)


# ---------------------------------------------------------------- the turn, with fakes


class FakeSearch:
    def __init__(self, chunks: Sequence[PolicyChunk]) -> None:
        self.chunks = list(chunks)
        self.calls: list[dict[str, Any]] = []

    async def search(
        self, query: str, *, client_id: str, region: str, top_k: int
    ) -> list[PolicyChunk]:
        self.calls.append({"query": query, "client_id": client_id, "region": region})
        return self.chunks


class FakePlatform:
    def __init__(self, windows: dict[str, ReturnWindow] | None = None) -> None:
        self.windows = windows or {}
        self.calls: list[tuple[str, str]] = []

    async def get_return_window(self, who: CustomerRef, sku: str, tier: Tier) -> ReturnWindow:
        self.calls.append((sku, tier.value))
        if sku not in self.windows:
            raise PlatformError(404, "sku_not_found", "sku not found")
        return self.windows[sku]


class FakeModel:
    def __init__(self, text: str = "", finish_reason: str = "stop", down: bool = False) -> None:
        self.text, self.finish_reason, self.down = text, finish_reason, down
        self.calls: list[dict[str, Any]] = []

    async def complete(self, messages: Sequence[dict[str, Any]], **kwargs: Any) -> Completion:
        self.calls.append({"messages": list(messages), **kwargs})
        if self.down:
            raise ModelUnavailable("fleet: APIConnectionError")
        return Completion(
            text=self.text, finish_reason=self.finish_reason, endpoint="fake", model="fake"
        )


def deps_with(
    search: FakeSearch | None,
    model: FakeModel | None,
    platform: FakePlatform | None = None,
) -> WorkerDeps:
    return WorkerDeps(
        platform=platform or FakePlatform(),  # type: ignore[arg-type]
        executor=ToolExecutor(),
        policy_search=search,
        models=TierModels(model, model, model, model) if model else None,  # type: ignore[arg-type]
        prompts=PromptRegistry().select(),
    )


def ask(
    message: str,
    *,
    tier: Tier = Tier.GOLD,
    region: Region = Region.US,
    customer_id: str = "CUS-000001",
) -> WorkerRequest:
    context = CustomerContext(
        customer_id=customer_id,
        client_id="globex",
        tier=tier,
        region=region,
        active_orders=[],
    )
    return WorkerRequest(
        client_id="globex",
        customer_id=customer_id,
        session_id="s-1",
        message=message,
        intent="return_policy",
        confidence=0.9,
        context=context,
    )


async def run(agent: PolicyAgent, request: WorkerRequest) -> list[ChatEvent]:
    return [event async for event in agent.handle(request)]


def text_of(events: Sequence[ChatEvent]) -> str:
    return "".join(e.data["text"] for e in events if e.type is EventType.TOKEN)


def of_type(events: Sequence[ChatEvent], kind: EventType) -> list[dict[str, Any]]:
    return [e.data for e in events if e.type is kind]


async def test_a_grounded_choice_is_streamed_verbatim_with_its_citation() -> None:
    search, model = FakeSearch([SKU_B, REFUNDS]), FakeModel('{"lines":["P1.1"]}')
    agent = PolicyAgent(deps_with(search, model))
    events = await run(agent, ask("How long do I have to return the Space Grey stand?"))
    answer = text_of(events)
    assert answer.startswith("SKU-9942-B can be returned within 14 days")
    # The customer sees the section's title; the chunk id stays in the decision trace.
    assert answer.endswith(f"(Source: {SKU_B.section}.)")
    assert SKU_B_ID[:8] not in answer
    assert len(of_type(events, EventType.TOKEN)) > 3  # streamed, not one blob
    (decision,) = of_type(events, EventType.DECISION)
    assert not decision["review"] and decision["chunk_ids"] == [SKU_B_ID]
    assert of_type(events, EventType.USAGE)[0]["tier"] == "policy"
    assert agent.last_outcome.path == "model" and agent.last_outcome.grounded


async def test_the_search_runs_for_the_tokens_client_and_the_customers_region() -> None:
    search = FakeSearch([SKU_B])
    agent = PolicyAgent(deps_with(search, FakeModel('{"lines":["P1.1"]}')))
    events = await run(agent, ask("How long can I return a jacket?", region=Region.UK))
    (call,) = search.calls
    assert call["client_id"] == "globex" and call["region"] == "UK"
    assert "Gold tier" in call["query"] and "apparel" in call["query"]
    (tool,) = of_type(events, EventType.TOOL)
    assert tool["name"] == "search_policy_kb" and tool["ok"] and tool["chunk_ids"] == [SKU_B_ID]


async def test_the_model_may_only_choose_among_the_lines_it_was_shown() -> None:
    model = FakeModel('{"lines":["P1.1"]}')
    await run(PolicyAgent(deps_with(FakeSearch([SKU_B, REFUNDS]), model)), ask("Refund limits?"))
    (call,) = model.calls
    labels = call["response_schema"]["properties"]["lines"]["items"]["enum"]
    assert labels and all(re.fullmatch(r"P\d\.\d", label) for label in labels)
    assert call["response_schema"] == choice_schema(labels)
    prompt = call["messages"][-1]["content"]
    assert all(f"{label}: " in prompt for label in labels)
    assert call["temperature"] == 0.0


@pytest.mark.parametrize(
    ("output", "finish_reason"),
    [
        ('{"lines":["P9.9"]}', "stop"),  # an endpoint that ignored the schema
        ('{"lines":["P1.1"', "length"),  # cut at max_tokens
        ("SKU-9942-B can be returned within 60 days.", "stop"),  # prose, not the schema
    ],
)
async def test_an_unusable_answer_is_replaced_by_the_fallback_and_flagged(
    output: str, finish_reason: str
) -> None:
    agent = PolicyAgent(deps_with(FakeSearch([SKU_B]), FakeModel(output, finish_reason)))
    events = await run(agent, ask("How long do I have to return the Space Grey stand?"))
    answer = text_of(events)
    assert answer.startswith(FALLBACK_LEAD) and "colleague" in answer
    assert f"(Source: {SKU_B.section}.)" in answer and "60 days" not in answer
    assert SKU_B_ID[:8] not in answer
    flagged = [d for d in of_type(events, EventType.DECISION) if d["review"]]
    assert len(flagged) == 1 and json.loads(flagged[0]["rejected"]) == output
    assert agent.last_outcome.path == "fallback" and not agent.last_outcome.grounded


async def test_without_a_model_the_best_line_is_quoted_and_a_colleague_offered() -> None:
    for model in (FakeModel(down=True), None):
        agent = PolicyAgent(deps_with(FakeSearch([SKU_B]), model))
        events = await run(agent, ask("How long do I have to return the Space Grey stand?"))
        answer = text_of(events)
        assert answer.startswith(FALLBACK_LEAD) and "14 days" in answer and "colleague" in answer
        assert not any(d["review"] for d in of_type(events, EventType.DECISION))


async def test_a_named_sku_gets_the_platforms_window_first() -> None:
    window = SKU_B_WINDOW
    platform, search = FakePlatform({"SKU-9942-B": window}), FakeSearch([SKU_B])
    agent = PolicyAgent(deps_with(search, FakeModel('{"lines":["P1.1"]}'), platform))
    events = await run(agent, ask("How long do I have to return SKU-9942-B?"))
    assert platform.calls == [("SKU-9942-B", "Gold")]
    answer = text_of(events)
    assert answer.startswith(
        "For SKU-9942-B, Gold members in the US store have 14 days from delivery"
    )
    assert "GBX-9942-B-R14" in answer.split("[")[0]
    # The platform named the category: the search asks about accessories.
    assert "accessories" in search.calls[0]["query"]
    tools = [t["name"] for t in of_type(events, EventType.TOOL)]
    assert tools == ["get_return_window", "search_policy_kb"]


async def test_an_unknown_sku_is_not_invented() -> None:
    agent = PolicyAgent(deps_with(FakeSearch([]), None))
    events = await run(agent, ask("How long can I return SKU-1234-Z?"))
    assert text_of(events) == UNKNOWN_SKUS.format(names="SKU-1234-Z")
    assert [t["ok"] for t in of_type(events, EventType.TOOL)] == [False]


async def test_another_stores_sku_gets_i_cant_find_it_never_our_nearest_rule() -> None:
    # The search would find our own apparel table and SKU text; none of it may stand in.
    search, model = FakeSearch([WINDOWS, SKU_B]), FakeModel('{"lines":["P1.1"]}')
    agent = PolicyAgent(deps_with(search, model, FakePlatform({})))
    events = await run(agent, ask("what's the return window on SKU-9942-B?"))
    answer = text_of(events)
    assert answer == UNKNOWN_SKUS.format(names="SKU-9942-B")
    assert "days" not in answer and search.calls == [] and model.calls == []
    assert agent.last_outcome.path == "unknown_sku"


async def test_a_known_and_a_foreign_sku_answer_the_known_one_and_say_so_of_the_other() -> None:
    window = SKU_B_WINDOW
    platform = FakePlatform({"SKU-9942-B": window})
    agent = PolicyAgent(deps_with(FakeSearch([SKU_B]), None, platform))
    answer = text_of(await run(agent, ask("return windows for SKU-9942-B and SKU-7777-Q?")))
    assert answer.startswith("For SKU-9942-B, Gold members in the US store have 14 days")
    assert UNKNOWN_SKUS.format(names="SKU-7777-Q") in answer


async def test_a_policy_code_the_search_cannot_find_is_not_answered_with_ours() -> None:
    model = FakeModel('{"lines":["P1.1"]}')
    agent = PolicyAgent(deps_with(FakeSearch([WINDOWS]), model))
    events = await run(agent, ask("what does policy ZZX-UK-APPA-R90 say about returns?"))
    assert text_of(events) == UNKNOWN_CODES.format(names="ZZX-UK-APPA-R90")
    assert model.calls == [] and agent.last_outcome.path == "unknown_policy_code"
    # A code that is in the retrieved text is answered as before.
    agent = PolicyAgent(deps_with(FakeSearch([WINDOWS]), None))
    answer = text_of(await run(agent, ask("how long is NWO-UK-APPA-R28 for gold?")))
    assert answer.startswith(FALLBACK_LEAD) and UNKNOWN_CODES[:20] not in answer


async def test_nothing_retrieved_means_no_model_call_and_an_honest_answer() -> None:
    model = FakeModel('{"lines":["P1.1"]}')
    agent = PolicyAgent(deps_with(FakeSearch([]), model))
    assert text_of(await run(agent, ask("Can I return a spaceship?"))) == NOTHING_FOUND
    assert model.calls == []


async def test_without_retrieval_the_agent_says_it_cannot_search() -> None:
    agent = PolicyAgent(deps_with(None, FakeModel('{"lines":["P1.1"]}')))
    events = await run(agent, ask("What is the return window for shoes?"))
    assert text_of(events) == SEARCH_UNAVAILABLE
    assert of_type(events, EventType.TOOL)[0]["code"] == "unavailable"


def test_a_free_text_policy_prompt_fails_at_start_up() -> None:
    deps = deps_with(FakeSearch([]), None)
    deps.prompts = PromptRegistry().select({"policy": "v1"})
    with pytest.raises(ValueError, match="line-choice prompt"):
        PolicyAgent(deps)


# ---------------------------------------------------------------- readiness


async def test_milvus_readiness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert await milvus_readiness(None) == "not_configured"
    # The default Lite file (under the checkout's var/) when it was never ingested.
    never_ingested = str(tmp_path / "var" / "milvus" / "policy.db")
    monkeypatch.setattr("app.agents.policy_retrieval.DEFAULT_LITE_PATH", never_ingested)
    default = OnDemandPolicySearch(RetrievalSettings(milvus_uri=never_ingested))
    assert await milvus_readiness(default) == "not_configured"
    missing = OnDemandPolicySearch(RetrievalSettings(milvus_uri=str(tmp_path / "none.db")))
    assert (await milvus_readiness(missing)).startswith("error: no policy index")
    (tmp_path / "present.db").write_bytes(b"")
    present = OnDemandPolicySearch(RetrievalSettings(milvus_uri=str(tmp_path / "present.db")))
    assert await milvus_readiness(present) == "ok"
    assert present.opened is None  # the probe never opens a Lite file


# ---------------------------------------------------------------- through the chat API


async def test_a_policy_question_through_the_chat_api_is_answered_from_the_kb_and_traced(
    platform_server: Any,
    redis_url: str,
    seed: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """compose.py's wiring: the retrieval engine from MILVUS_URI (opened by the first search),
    no model (so the fallback quote), the turn's decision trace, and the readiness probe."""
    import httpx

    from app.agents.compose import build_local_pipeline
    from app.api.auth import TokenService
    from app.api.http import create_chat_app
    from app.config import AgentSettings
    from app.retrieval.chunking import chunk_documents
    from app.retrieval.embedder import MiniLmEmbedder
    from app.retrieval.ingest import ingest_chunks
    from app.retrieval.kb_format import read_kb
    from app.retrieval.store import PolicyStore
    from tests.platform_server import API_KEY

    uri = str(tmp_path / "kb.db")
    documents = [d for d in read_kb(KB_DIR) if d.source_doc == "globex/laptop-stands-sku-rules.md"]
    with PolicyStore(uri) as store:
        store.ensure_collection()
        ingest_chunks(chunk_documents(documents), store, MiniLmEmbedder())
    monkeypatch.setenv("MILVUS_URI", uri)
    pipeline = build_local_pipeline(
        AgentSettings(
            platform_url=platform_server.base_url,
            platform_api_key=API_KEY,
            redis_url=redis_url,
            llm_base_url=None,
        )
    )
    search = pipeline.deps.policy_search
    assert isinstance(search, OnDemandPolicySearch) and search.opened is None
    customer = next(
        c
        for c in seed.dataset.customers
        if c.client_id == "globex" and c.region is Region.US and c.tier is Tier.GOLD
    )
    tokens = TokenService("policy-test-secret-" + "p" * 40)
    headers = {"Authorization": f"Bearer {tokens.issue(customer.customer_id, 'globex')}"}
    transport = httpx.ASGITransport(app=create_chat_app(pipeline, tokens))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://agent") as api:
            reply = await api.post(
                "/v1/chat",
                headers=headers,
                json={"message": "How long do I have to return SKU-9942-B?", "stream": False},
            )
            assert reply.status_code == 200, reply.text
            body = reply.json()
            answer = body["reply"]
            assert answer.startswith("For SKU-9942-B, Gold members in the US store have 14 days")
            assert FALLBACK_LEAD in answer and "(Source: " in answer
            assert not re.search(r"\[[0-9a-f]{8}\]", answer)
            assert not any(e["type"] == "decision" for e in body["events"])  # never sent
            turns = (await api.get(f"/v1/sessions/{body['session_id']}", headers=headers)).json()
            last = turns["turns"][-1]
            assert last["route"] == "policy"
            assert "policy: fallback answer (no model configured)" in last["decisions"]
            assert [c["tool"] for c in last["tool_calls"]] == [
                "get_return_window",
                "search_policy_kb",
            ]
            ready = (await api.get("/readyz")).json()["checks"]
            assert ready["milvus"] == "ok" and search.opened is not None
    finally:
        search.close()
        await pipeline.deps.platform.aclose()


# ---------------------------------------------------------------- slow: the real stack


@pytest.fixture(scope="module")
def real_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One Globex KB index (Milvus Lite in a temp dir) and one model fleet (Ray Serve LLM,
    as serve_config.yaml deploys it) for the module."""
    pytest.importorskip("ray")
    from app.retrieval.chunking import chunk_documents
    from app.retrieval.embedder import MiniLmEmbedder
    from app.retrieval.ingest import ingest_chunks
    from app.retrieval.kb_format import read_kb
    from app.retrieval.search import HybridPolicySearch
    from app.retrieval.store import PolicyStore
    from evals.llm_bench import DEFAULT_CONFIG, local_llm_stack, wait_until_ready

    documents = [d for d in read_kb(KB_DIR) if d.meta.client_id == "globex"]
    store = PolicyStore(str(tmp_path_factory.mktemp("policy-kb") / "kb.db"))
    store.ensure_collection()
    ingest_chunks(chunk_documents(documents), store, MiniLmEmbedder())
    try:
        with local_llm_stack(DEFAULT_CONFIG, "tracking-fleet", False) as base_url:
            asyncio.run(wait_until_ready(base_url, "tracking-fleet"))
            search = HybridPolicySearch.from_settings(RetrievalSettings(), store=store)
            yield {"base_url": base_url, "search": search}
    finally:
        store.close()


@pytest.mark.slow
async def test_real_model_answers_are_grounded_and_cite_retrieved_chunks(
    real_stack: dict[str, Any], platform_server: Any, seed: Any
) -> None:
    from app.llm.client import ModelEndpoint, OpenAIChatModel
    from app.platform.client import PlatformClient
    from tests.platform_server import API_KEY

    customer = next(
        c
        for c in seed.dataset.customers
        if c.client_id == "globex" and c.region is Region.US and c.tier is Tier.GOLD
    )
    model = OpenAIChatModel(
        ModelEndpoint(
            name="fleet", base_url=real_stack["base_url"], model="tracking-fleet", timeout_s=120
        )
    )
    platform = PlatformClient(platform_server.base_url, API_KEY, timeout_s=10.0)
    deps = WorkerDeps(
        platform=platform,
        executor=ToolExecutor(),
        policy_search=real_stack["search"],
        models=TierModels(model, model, model, model),
        prompts=PromptRegistry().select(),
    )
    questions = {
        "How long do I have to return SKU-9942-B?": ["14 days", "GBX-9942-B-R14"],
        "How quickly does a PayPal refund arrive?": [],
        "Do you charge a restocking fee on an opened speaker?": [],
    }
    paths = []
    try:
        for question, facts in questions.items():
            agent = PolicyAgent(deps)
            events = await run(agent, ask(question, customer_id=customer.customer_id))
            outcome, answer = agent.last_outcome, text_of(events)
            paths.append(outcome.path)
            assert answer and all(fact in answer for fact in facts)
            # Citations reach the customer as section titles, never as chunk ids or hashes.
            assert "(Source: " in answer
            assert not re.search(r"\[[0-9a-f]{8}\]", answer)
            assert not any(c[:8] in answer for c in outcome.chunk_ids)
            assert not makes_promise(answer)
            assert of_type(events, EventType.DECISION)
    finally:
        await platform.aclose()
    # The model answered (a grounded choice) rather than the fallback, for most questions.
    assert paths.count("model") >= 2, paths
