"""Eligibility consults the written policy: the KB statement behind a return window's policy
code is cited in the proposal, and a KB that contradicts the platform's window sends the case
to a person instead of a proposal. Real KB files, real Milvus Lite retrieval, the real graph
and the real platform service."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.agents.base import WorkerDeps
from app.agents.negotiation import NegotiationAgent
from app.agents.negotiation.eligibility import Escalate, Propose, decide
from app.agents.negotiation.state import (
    Action,
    CaseRequest,
    EscalationReason,
    FraudCheck,
    ItemFacts,
    OrderFacts,
    Outcome,
    ShipmentFacts,
)
from app.agents.negotiation.written_policy import disagreement, find_written, statements
from app.platform.client import PlatformClient
from app.platform.contract import Category, FraudBand, Region, ReturnWindow, ShipmentStatus, Tier
from app.retrieval.chunking import chunk_documents
from app.retrieval.ingest import ingest_chunks
from app.retrieval.kb_format import read_kb
from app.retrieval.search import HybridPolicySearch
from app.retrieval.settings import RetrievalSettings
from app.retrieval.store import PolicyStore
from app.tools import ToolExecutor
from app.tools.spec import PolicyChunk
from tests.negotiation_cases import CleanPool
from tests.negotiation_harness import FAST, assert_invariants, settings_for, start
from tests.platform_server import API_KEY, RunningPlatform
from tests.quote_answers import QuoteDesk

pytestmark = pytest.mark.slow

KB = Path(__file__).resolve().parents[1] / "kb"
SKU_RULES = KB / "globex" / "laptop-stands-sku-rules.md"
CODE = "GBX-9942-A-R30"


def window(days: int = 30, code: str = CODE, returnable: bool = True) -> ReturnWindow:
    return ReturnWindow(
        client_id="globex",
        sku="SKU-9942-A",
        category=Category.ACCESSORIES,
        region=Region.US,
        tier=Tier.GOLD,
        returnable=returnable,
        window_days=days,
        policy_code=code,
        basis="sku_rule",
    )


def chunk(text: str, doc: str = "laptop-stands-sku-rules.md") -> PolicyChunk:
    return PolicyChunk(chunk_id="c1", source_doc=doc, section="S", text=text, score=1.0)


# ---------------------------------------------------------------- reading statements (no server)


def test_the_statement_naming_the_code_is_found_in_the_real_kb_file() -> None:
    written = find_written(CODE, [chunk(SKU_RULES.read_text())])
    assert written is not None
    # The table row and the prose sentence both name it, both with 30 days.
    assert [st.days for st in written.statements] == [[30], [30]]
    assert all(CODE in st.text for st in written.statements)
    assert written.cited.source_doc == "laptop-stands-sku-rules.md"


def test_table_rows_and_wrapped_prose_are_separate_statements() -> None:
    text = (
        "## Windows\n| US | NWO-US-FOOT-R30 | 30 days | 45 days | 60 days |\n\n"
        "Footwear can go back within 30 days under\npolicy NWO-X-R30. Gold adds 15 days.\n"
    )
    found = statements(text)
    assert "| US | NWO-US-FOOT-R30 | 30 days | 45 days | 60 days |" in found
    assert "Footwear can go back within 30 days under policy NWO-X-R30." in found
    row = find_written("NWO-US-FOOT-R30", [chunk(text)])
    assert row is not None and row.cited.days == [30, 45, 60]


def test_a_longer_code_is_not_taken_for_a_shorter_one() -> None:
    assert find_written(CODE, [chunk("Policy GBX-9942-A-R300 gives 300 days.")]) is None


def test_disagreement_only_when_the_kb_states_days_and_none_is_the_platforms() -> None:
    says = find_written(CODE, [chunk(f"Returns within 45 days under {CODE}.")])
    assert disagreement(window(30), says) is not None
    assert disagreement(window(45), says) is None
    silent = find_written(CODE, [chunk(f"{CODE} covers the ErgoLift stand.")])
    assert disagreement(window(30), silent) is None  # nothing stated, nothing to contradict
    assert disagreement(window(30), None) is None  # no written statement found
    assert disagreement(window(0, returnable=False), says) is None


def facts_with(policy_days: int | None) -> OrderFacts:
    policies = {}
    if policy_days is not None:
        written = find_written(CODE, [chunk(f"Returnable within {policy_days} days ({CODE}).")])
        assert written is not None
        policies[CODE] = written
    delivered = datetime.now(UTC).isoformat()
    return OrderFacts(
        order_id="ORD-9200001",
        currency="USD",
        total=49.99,
        refunded=0.0,
        refundable=49.99,
        items=[ItemFacts(sku="SKU-9942-A", name="Stand", unit_price=49.99, quantity=1)],
        shipments=[
            ShipmentFacts(
                awb="AWB-9200000001",
                status=ShipmentStatus.DELIVERED,
                carrier="UPS",
                delivered_at=delivered,
                signed_by=None,
            )
        ],
        windows={"SKU-9942-A": window(30)},
        policies=policies,
    )


@pytest.mark.parametrize(("policy_days", "proposes"), [(30, True), (None, True), (45, False)])
async def test_eligibility_weighs_the_written_policy(
    policy_days: int | None, proposes: bool
) -> None:
    case = CaseRequest(order_id="ORD-9200001", outcome=Outcome.RETURN)
    fraud = FraudCheck(order_id="ORD-9200001", score=0.1, band=FraudBand.LOW)
    desk = QuoteDesk("49.99", prices={"SKU-9942-A": "49.99"})
    decision = await decide(case, facts_with(policy_days), fraud, ask=desk, proposal_id="p1")
    if proposes:
        assert isinstance(decision, Propose) and decision.proposal.action is Action.RETURN
    else:
        assert isinstance(decision, Escalate)
        assert decision.reason is EscalationReason.POLICY_UNDECIDABLE
        assert "45" in decision.note and "30" in decision.note
        # A conflict is settled by a person: the platform is not even asked.
        assert desk.asked == []


# ---------------------------------------------------------------- the whole graph


def searcher_over(kb_root: Path, tmp: Path) -> tuple[HybridPolicySearch, PolicyStore]:
    settings = RetrievalSettings(milvus_uri=str(tmp / "policy.db"), cache_dir=tmp / "cache")
    store = PolicyStore(settings.milvus_uri)
    store.ensure_collection()
    search = HybridPolicySearch.from_settings(settings, store=store)
    ingest_chunks(chunk_documents(read_kb(kb_root)), store, search.encoder)  # type: ignore[arg-type]
    return search, store


@pytest.fixture(scope="module")
def true_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HybridPolicySearch]:
    root = tmp_path_factory.mktemp("kb-true")
    shutil.copytree(KB / "globex", root / "globex")
    search, store = searcher_over(root, tmp_path_factory.mktemp("milvus-true"))
    yield search
    store.close()


@pytest.fixture(scope="module")
def contradicting_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HybridPolicySearch]:
    """The same KB after a careless edit of the prose: its table still says 30 days (as the
    platform does), the sentence now says 45."""
    root = tmp_path_factory.mktemp("kb-edited")
    shutil.copytree(KB / "globex", root / "globex")
    edited = root / "globex" / SKU_RULES.name
    text = edited.read_text()
    assert "SKU-9942-A can be returned within 30 days" in text
    edited.write_text(
        text.replace(
            "SKU-9942-A can be returned within 30 days", "SKU-9942-A can be returned within 45 days"
        )
    )
    search, store = searcher_over(root, tmp_path_factory.mktemp("milvus-edited"))
    yield search
    store.close()


async def agent_with(
    platform_server: RunningPlatform, search: HybridPolicySearch, tmp_path: Path
) -> NegotiationAgent:
    deps = WorkerDeps(
        platform=PlatformClient(platform_server.base_url, API_KEY, timeout_s=5.0),
        executor=ToolExecutor(FAST),
        policy_search=search,
    )
    return NegotiationAgent(deps, settings_for(tmp_path / "negotiation.sqlite"))


async def test_the_proposal_cites_the_written_policy_it_follows(
    platform_server: RunningPlatform,
    clean_orders: CleanPool,
    true_kb: HybridPolicySearch,
    admin: PlatformClient,
    tmp_path: Path,
) -> None:
    order = clean_orders.take()
    agent = await agent_with(platform_server, true_kb, tmp_path)
    conv = await start(agent, order.who)

    first = await conv.say(f"I want to return {order.order_id}", "initiate_return")

    assert first.proposal is not None and first.proposal["action"] == "return"
    assert f"This follows policy {CODE} (globex/laptop-stands-sku-rules.md)." in first.text
    (search,) = first.tools("search_policy_kb")
    assert search.data["ok"] and CODE in search.data["arguments"]["query"]
    done = await conv.say("no")
    assert not done.tools("initiate_return")
    await assert_invariants(admin, conv)
    await agent.deps.platform.aclose()


async def test_a_kb_that_contradicts_the_platform_goes_to_a_person_without_a_proposal(
    platform_server: RunningPlatform,
    clean_orders: CleanPool,
    contradicting_kb: HybridPolicySearch,
    admin: PlatformClient,
    tmp_path: Path,
) -> None:
    order = clean_orders.take()
    agent = await agent_with(platform_server, contradicting_kb, tmp_path)
    conv = await start(agent, order.who)

    result = await conv.say(f"I want to return {order.order_id}", "initiate_return")

    assert result.proposal is None
    assert not result.tools("initiate_return")
    (ticket_id,) = result.tickets
    ticket = await admin.get_ticket(order.who, ticket_id)
    assert ticket.reason == "policy_undecidable"
    assert "policy conflict" in " ".join([*ticket.decision_trace, ticket.summary])
    await assert_invariants(admin, conv)
    await agent.deps.platform.aclose()
