"""Prompt assembly: one fixed order, byte-identical for equal state, and different customers'
prompts sharing everything up to the first value that is really theirs. Ids are fictional."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from redis.asyncio import Redis

from app.platform.client import PlatformClient
from app.platform.contract import OrderSummary, Region, ShipmentBrief, ShipmentStatus, Tier
from app.sessions import (
    HydratedContext,
    HydrationFailure,
    Hydrator,
    PromptAssembler,
    Role,
    RunningSummary,
    SessionSettings,
    SessionState,
    SessionStore,
    ToolCallRecord,
    Turn,
)
from app.sessions.hydration import CONTEXT_PREAMBLE
from app.tools import (
    TOOLS,
    AgentTier,
    CustomerContext,
    ToolContext,
    ToolExecutor,
    narrowing_for,
    tools_for,
)
from tests.fixtures import SeedIndex
from tests.seed_readers import reader

INSTRUCTIONS = (
    "You are the tracking assistant of an order support desk.\n"
    "Answer from the context block and tool results only.   \n"  # trailing spaces: normalised
)
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TRACKING = tools_for(AgentTier.TRACKING)
NEGOTIATION = tools_for(AgentTier.NEGOTIATION)


def order(order_id: str, awb: str, days_ago: int, item: str) -> OrderSummary:
    return OrderSummary(
        order_id=order_id,
        placed_at=T0 - timedelta(days=days_ago),
        total=Decimal("42.50"),
        currency="USD",
        item_names=[item],
        shipments=[
            ShipmentBrief(awb=awb, status=ShipmentStatus.IN_TRANSIT, eta=T0 + timedelta(days=2))
        ],
    )


def context(
    tier: Tier = Tier.GOLD,
    region: Region = Region.US,
    orders: list[OrderSummary] | None = None,
    customer_id: str = "CUS-000001",
) -> HydratedContext:
    if orders is None:
        orders = [
            order("ORD-1000001", "AWB-1000000001", 1, "Trail Running Shoes"),
            order("ORD-1000002", "AWB-1000000002", 5, "Wool Beanie"),
        ]
    return HydratedContext(
        context=CustomerContext(
            customer_id=customer_id,
            client_id="acme",
            tier=tier,
            region=region,
            active_orders=orders,
        )
    )


def history() -> SessionState:
    return SessionState(
        session_id="s" * 32,
        client_id="acme",
        user_id="user-a",
        created_at=T0,
        updated_at=T0,
        turn_count=14,
        summary=RunningSummary(
            turns_folded=10,
            intents=["order_status"],
            orders_mentioned=["ORD-1000001"],
            actions=["initiate_refund ORD-1000001 10.00 CUSTOMER_REQUEST → REF-2000001 approved"],
        ),
        turns=[
            Turn(role=Role.USER, text="Where is ORD-1000001?", at=T0),
            Turn(
                role=Role.ASSISTANT,
                text="It is in transit.\n",
                at=T0,
                tool_calls=[
                    ToolCallRecord(
                        tool="get_order_status",
                        arguments={"awb": "AWB-1000000001"},
                        ok=True,
                        summary="in transit",
                    )
                ],
            ),
            Turn(role=Role.SYSTEM, text="Escalated, ticket TCK-4000001.", at=T0),
            Turn(role=Role.AGENT_HUMAN, text="Hello, I can help with that.", at=T0),
        ],
    )


def first_difference(a: str, b: str) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def assemble(ctx: HydratedContext | HydrationFailure) -> str:
    narrowing = narrowing_for(ctx.context) if isinstance(ctx, HydratedContext) else None
    prompt = PromptAssembler().assemble(
        instructions=INSTRUCTIONS,
        context=ctx,
        tools=TRACKING,
        narrowing=narrowing,
        history=history(),
        new_message="And the other order?",
    )
    return prompt.rendered


# ---------------------------------------------------------------- determinism and order


def test_the_same_state_gives_byte_identical_prompts() -> None:
    ctx = context()
    a = PromptAssembler().assemble(
        instructions=INSTRUCTIONS,
        context=ctx,
        tools=TRACKING,
        narrowing=narrowing_for(ctx.context),
        history=history(),
        new_message="And the other order?",
    )
    shuffled = context(orders=ctx.context.active_orders[::-1])
    b = PromptAssembler().assemble(
        instructions=INSTRUCTIONS.replace("\n", "\r\n"),
        context=HydratedContext.model_validate_json(shuffled.model_dump_json()),
        tools=TRACKING[::-1],
        narrowing=narrowing_for(shuffled.context),
        history=SessionState.model_validate_json(history().model_dump_json()),
        new_message="And the other order?",
    )
    assert a.rendered.encode() == b.rendered.encode()
    assert a.as_list() == b.as_list()
    assert a.prefix_key == b.prefix_key and a.system_key == b.system_key
    assert a.rendered.startswith(a.rendered_prefix)
    assert "\r" not in a.rendered
    assert all(line == line.rstrip() for line in a.rendered.split("\n"))


def test_parts_come_in_the_one_fixed_order() -> None:
    ctx = context()
    prompt = PromptAssembler().assemble(
        instructions=INSTRUCTIONS,
        context=ctx,
        tools=TRACKING,
        narrowing=narrowing_for(ctx.context),
        history=history(),
        new_message="And the other order?",
    )
    system = prompt.system
    assert system.startswith(
        "You are the tracking assistant of an order support desk.\n"
        "Answer from the context block and tool results only.\n\n[CONTEXT]\n"
    )
    positions = [system.index(m) for m in ("[CONTEXT]", "[/CONTEXT]", "[TOOLS]", "[SUMMARY]")]
    assert positions == sorted(positions)
    assert system.endswith("[/SUMMARY]")
    assert [m["role"] for m in prompt.messages] == [
        "system",
        "user",
        "assistant",
        "system",
        "assistant",
        "user",
    ]
    assert prompt.messages[-1] == {"role": "user", "content": "And the other order?"}


def test_tool_schemas_are_canonical_json_sorted_by_name() -> None:
    ctx = context()
    narrowing = narrowing_for(ctx.context)
    prompt = PromptAssembler().assemble(
        instructions=INSTRUCTIONS,
        context=ctx,
        tools=TRACKING,
        new_message="hi",
        narrowing=narrowing,
    )
    block = prompt.system.split("[TOOLS]\n", 1)[1].split("\n[/TOOLS]", 1)[0]
    lines = block.split("\n")
    names = [json.loads(line)["name"] for line in lines]
    assert names == sorted(t.name for t in TRACKING) == list(prompt.tool_names)
    for line, name in zip(lines, names, strict=True):
        tool = TOOLS[name]
        expected = {
            "description": tool.description,
            "name": name,
            "parameters": tool.json_schema(narrowing),
        }
        assert line == json.dumps(expected, sort_keys=True, separators=(",", ":"))
    # Narrowed to this customer's shipments: another customer's AWB is not even spellable.
    assert '"enum":["AWB-1000000001","AWB-1000000002"]' in block


def test_tools_with_nothing_to_narrow_to_are_left_out() -> None:
    ctx = context(orders=[])
    prompt = PromptAssembler().assemble(
        instructions=INSTRUCTIONS,
        context=ctx,
        tools=TRACKING,
        narrowing=narrowing_for(ctx.context),
        new_message="hi",
    )
    assert prompt.tool_names == () and "[TOOLS]" not in prompt.system


# ---------------------------------------------------------------- shared prefixes


def test_different_tiers_differ_only_in_the_tier_value() -> None:
    gold, silver = assemble(context(Tier.GOLD)), assemble(context(Tier.SILVER))
    static = (
        "<|system|>\nYou are the tracking assistant of an order support desk.\n"
        "Answer from the context block and tool results only.\n\n"
        f"[CONTEXT]\n{CONTEXT_PREAMBLE}\nTier: "
    )
    assert gold.startswith(static) and silver.startswith(static)
    assert first_difference(gold, silver) == len(static)
    # Nothing else differs: swapping the one value turns one prompt into the other.
    assert gold.replace("\nTier: Gold\n", "\nTier: Silver\n") == silver


def test_different_orders_differ_only_from_the_order_lines_on() -> None:
    mine = assemble(context())
    theirs = assemble(
        context(orders=[order("ORD-1000777", "AWB-1000000777", 2, "Desk Lamp")]),
    )
    header = f"[CONTEXT]\n{CONTEXT_PREAMBLE}\nTier: Gold\nRegion: US\nActive orders:\n- ORD-1000"
    diverge = first_difference(mine, theirs)
    assert mine[:diverge].endswith(header)
    # After the context block only the narrowed tool enums differ; history is identical.
    assert mine.split("[/TOOLS]", 1)[1] == theirs.split("[/TOOLS]", 1)[1]


def test_a_failed_hydration_still_shares_the_static_prefix() -> None:
    ok = assemble(context())
    failed = assemble(HydrationFailure("unavailable", "down", retryable=True))
    assert ok[: first_difference(ok, failed)].endswith(f"[CONTEXT]\n{CONTEXT_PREAMBLE}\n")
    assert "Unavailable: the order platform could not be reached." in failed


async def test_seeded_customers_share_the_prefix_through_the_static_header(
    platform: PlatformClient, seed: SeedIndex, redis: Redis
) -> None:
    hydrator = Hydrator(ToolExecutor(), redis, key_prefix=f"osa{uuid.uuid4().hex[:8]}")
    picks = [
        reader(seed, tier=Tier.GOLD),
        reader(seed, tier=Tier.STANDARD),
    ]
    rendered = []
    for pick in picks:
        ctx = ToolContext(who=pick.who, session_id="s" * 32, platform=platform)
        hydrated = await hydrator.hydrate(ctx)
        assert isinstance(hydrated, HydratedContext)
        rendered.append(assemble(hydrated))
    diverge = first_difference(*rendered)
    assert rendered[0][:diverge].endswith(f"[CONTEXT]\n{CONTEXT_PREAMBLE}\nTier: ")
    assert rendered[0][diverge:].startswith("Gold\n")
    assert rendered[1][diverge:].startswith("Standard\n")


# ---------------------------------------------------------------- history


def test_history_is_rendered_in_a_stable_format() -> None:
    prompt = PromptAssembler().assemble(
        instructions=INSTRUCTIONS,
        context=context(),
        tools=[],
        history=history(),
        new_message="  And the other order?  \n",
    )
    assert prompt.system.endswith(
        "[/CONTEXT]\n\n[SUMMARY]\nEarlier turns (summarised): 10\nIntents: order_status\n"
        "Orders mentioned: ORD-1000001\nActions:\n"
        "- initiate_refund ORD-1000001 10.00 CUSTOMER_REQUEST → REF-2000001 approved\n"
        "[/SUMMARY]"
    )
    assert prompt.as_list()[1:] == [
        {"role": "user", "content": "Where is ORD-1000001?"},
        {
            "role": "assistant",
            "content": "It is in transit.\n(tool) get_order_status AWB-1000000001 → in transit",
        },
        {"role": "system", "content": "Escalated, ticket TCK-4000001."},
        {"role": "assistant", "content": "(human agent) Hello, I can help with that."},
        {"role": "user", "content": "  And the other order?"},
    ]


def test_turns_beyond_the_window_are_folded_not_dropped() -> None:
    state = history().model_copy(
        update={
            "turns": [
                Turn(role=Role.USER, text=f"about ORD-{1000300 + i}", at=T0) for i in range(5)
            ]
        }
    )
    prompt = PromptAssembler(max_history_turns=2).assemble(
        instructions=INSTRUCTIONS, context=context(), tools=[], history=state, new_message="hi"
    )
    assert len(prompt.messages) == 4  # system, two turns, the new message
    assert "Earlier turns (summarised): 13" in prompt.system
    assert "ORD-1000300, ORD-1000301, ORD-1000302" in prompt.system


async def test_a_session_prompt_grows_append_only_between_turns(redis: Redis) -> None:
    """Turn k+1's prompt starts with turn k's prompt: the whole prefix is reusable."""
    store = SessionStore(redis, SessionSettings(max_turns=10))
    client = f"t{uuid.uuid4().hex[:12]}"
    sid = await store.create(client, "user-a")
    ctx = context()
    assembler = PromptAssembler()
    previous: str | None = None
    for i in range(4):
        state = await store.load(client, "user-a", sid)
        message = f"question {i} about ORD-1000001"
        prompt = assembler.assemble(
            instructions=INSTRUCTIONS,
            context=ctx,
            tools=NEGOTIATION,
            narrowing=narrowing_for(ctx.context),
            history=state,
            new_message=message,
        )
        if previous is not None:
            assert prompt.rendered_prefix.startswith(previous)
        previous = prompt.rendered
        await store.append_turn(client, "user-a", sid, Turn(role=Role.USER, text=message))
        await store.append_turn(
            client, "user-a", sid, Turn(role=Role.ASSISTANT, text=f"answer {i}")
        )
