"""The three pages in headless Chromium (Debian's `chromium`, driven by Playwright), and the
endpoints behind them, against the agent served in this process (tests/web_server.py): real
guardrail and router models, real Redis, the real platform, Milvus Lite, no model fleet.

`scripts/bootstrap.sh` installs Chromium when it is missing; nothing is downloaded here.
OSA_SCREENSHOTS=DIR also writes the README's screenshots into DIR.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright
from redis.asyncio import Redis

from app.api.auth import Role
from app.api.http import create_chat_app
from app.config import AgentSettings
from app.platform.client import CustomerRef, PlatformClient
from app.platform.contract import Refund, ShipmentStatus
from app.web.backend import build_web
from tests.fixtures import SeedIndex
from tests.negotiation_cases import CleanPool
from tests.platform_server import ADMIN_KEY, API_KEY, RunningPlatform
from tests.web_server import RunningAgent, run_agent

pytestmark = pytest.mark.slow
T = TypeVar("T")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000  # a turn runs the guardrail and router models on a busy 2-core machine
FINAL_SALE_DOC = "northwind/accessories-and-final-sale.md"
DAMAGED_FINAL_SALE = "How long do I have to report a damaged final sale item?"
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def agent(
    tmp_path_factory: pytest.TempPathFactory,
    platform_server: RunningPlatform,
    redis_url: str,
    clean_orders: CleanPool,
) -> Iterator[RunningAgent]:
    with run_agent(tmp_path_factory.mktemp("agent"), platform_server.base_url, redis_url) as a:
        yield a


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/bootstrap.sh installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Any, agent: RunningAgent) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(
            base_url=agent.base_url, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def token(agent: RunningAgent, who: CustomerRef | None = None, **kw: Any) -> str:
    if who is None:
        return agent.tokens.issue("agent-7", "northwind", Role.AGENT, **kw)
    return agent.tokens.issue(who.customer_id, who.client_id, **kw)


def open_chat(page: Any, agent: RunningAgent, who: CustomerRef) -> None:
    """A token handed to the page in the URL fragment (the production hand-over)."""
    page.goto(f"/#token={token(agent, who)}")
    expect(page.locator("#who")).to_contain_text(who.customer_id)
    # The session exists and the greeting is shown once the log stops being busy.
    expect(page.locator("#log")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#send")).to_be_enabled()
    assert "token=" not in page.url


def ask(page: Any, text: str) -> Any:
    """Send a message; return the locator of the answer that follows it."""
    before = page.locator(".msg.assistant").count()
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")
    answer = page.locator(".msg.assistant").nth(before)
    expect(answer).to_be_visible()
    expect(page.locator("#send")).to_be_enabled()
    return answer


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a helper thread: Playwright's sync API keeps a loop in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def refunds_of(platform_url: str, who: CustomerRef, order_id: str) -> list[Refund]:
    async def read() -> list[Refund]:
        async with PlatformClient(platform_url, API_KEY, admin_key=ADMIN_KEY) as client:
            return await client.list_order_refunds(who, order_id)

    return run_async(read())


def shoot(page: Any, name: str) -> None:
    target = os.environ.get("OSA_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / name), full_page=True)


# ---------------------------------------------------------------- customer chat


def test_demo_sign_in_lists_seeded_customers_of_each_tenant(
    new_page: Any, agent: RunningAgent
) -> None:
    page = new_page()
    page.goto("/")
    for tenant in ("Northwind Outfitters", "Globex Electronics", "Kestrel Home"):
        expect(page.get_by_role("heading", name=re.compile(tenant))).to_be_visible()
    first = page.locator("button[data-customer]").first
    customer_id = first.get_attribute("data-customer")
    first.click()
    expect(page.locator("#who")).to_contain_text(str(customer_id))
    expect(page.get_by_label("Your message")).to_be_focused()


def test_a_tracking_question_is_answered_in_the_page_and_survives_a_reload(
    new_page: Any, agent: RunningAgent, seed: SeedIndex
) -> None:
    # Any tenant's parcel: the page is the same for every tenant, and the suite's other tests
    # take most of one tenant's parcels on the way.
    try:
        pick = seed.take(ShipmentStatus.IN_TRANSIT)
    except LookupError:
        pick = seed.take(ShipmentStatus.OUT_FOR_DELIVERY)
    page = new_page()
    open_chat(page, agent, pick.who)
    answer = ask(page, f"where is my order {pick.order.order_id}?")
    expect(answer).to_contain_text(pick.shipment.awb)
    shoot(page, "chat.png")
    page.reload()
    # Same session after a reload: the conversation is back, and it continues.
    expect(page.locator(".msg.user").first).to_contain_text(pick.order.order_id)
    expect(page.locator(".msg.assistant").first).to_contain_text(pick.shipment.awb)


def test_a_refund_confirmed_by_clicking_confirm_is_in_the_platform(
    new_page: Any, agent: RunningAgent, clean_orders: CleanPool, platform_server: RunningPlatform
) -> None:
    order = clean_orders.take()
    page = new_page()
    open_chat(page, agent, order.who)
    ask(page, f"I want a refund for {order.order_id}, it never arrived")
    card = page.locator(".msg.proposal")
    expect(card).to_contain_text(order.order_id)
    expect(card).to_contain_text("Refund")
    expect(card.get_by_role("button", name="Confirm")).to_be_focused()
    assert refunds_of(platform_server.base_url, order.who, order.order_id) == []
    shoot(page, "chat-proposal.png")
    before = page.locator(".msg.assistant").count()
    with page.expect_request(lambda r: r.method == "POST" and "/messages" in r.url) as sent:
        card.get_by_role("button", name="Confirm").click()
    # The click answers this proposal by its id (the structured channel), not with words.
    body = json.loads(sent.value.post_data or "{}")
    assert body["decision"] == "yes" and body["proposal_id"] and "message" not in body
    answer = page.locator(".msg.assistant").nth(before)
    expect(answer).to_contain_text("REF-")
    (refund,) = refunds_of(platform_server.base_url, order.who, order.order_id)
    expect(answer).to_contain_text(refund.refund_id)
    expect(card.get_by_role("button", name="Confirm")).to_be_disabled()


def test_cancel_writes_nothing(
    new_page: Any, agent: RunningAgent, clean_orders: CleanPool, platform_server: RunningPlatform
) -> None:
    order = clean_orders.take()
    page = new_page()
    open_chat(page, agent, order.who)
    ask(page, f"I want a refund for {order.order_id}, it never arrived")
    card = page.locator(".msg.proposal")
    expect(card).to_contain_text(order.order_id)
    before = page.locator(".msg.assistant").count()
    card.get_by_role("button", name="Cancel").click()
    expect(page.locator(".msg.assistant").nth(before)).to_contain_text("won't make any changes")
    assert refunds_of(platform_server.base_url, order.who, order.order_id) == []


def test_an_expired_token_asks_to_sign_in_again(new_page: Any, agent: RunningAgent) -> None:
    page = new_page()
    expired = agent.tokens.issue("CUS-100001", "northwind", ttl_s=-60)
    page.goto(f"/#token={expired}")
    expect(page.get_by_role("alert")).to_contain_text("expired")
    expect(page.locator("#chat")).to_be_hidden()
    page.get_by_label("Your sign-in token from the store").fill(expired)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_contain_text("expired or invalid token")


# ---------------------------------------------------------------- support console


def test_an_escalation_appears_in_the_console_and_a_takeover_message_reaches_the_chat(
    new_page: Any, agent: RunningAgent, seed: SeedIndex
) -> None:
    console = new_page()
    console.goto("/console")
    console.get_by_role("button", name="Support agent of Northwind Outfitters").click()
    expect(console.get_by_role("heading", name="Escalation queue")).to_be_visible()

    pick = seed.take(ShipmentStatus.DELIVERED, client_id="northwind")
    chat = new_page()
    open_chat(chat, agent, pick.who)
    ask(chat, "I want to talk to a real person please")
    ticket_notice = chat.locator(".msg.ticket")
    expect(ticket_notice).to_contain_text("TCK-")
    ticket_id = re.search(r"TCK-\d+", ticket_notice.inner_text()).group(0)  # type: ignore[union-attr]

    # No reload: the queue polls, and the new ticket is announced.
    item = console.locator(f'button[data-ticket="{ticket_id}"]')
    expect(item).to_be_visible()
    expect(console.locator("#queue-status")).to_contain_text(ticket_id)
    item.click()
    expect(console.locator("#detail-heading")).to_contain_text(ticket_id)
    expect(console.locator(".summary")).to_contain_text("Customer asked for a person")
    expect(console.locator("#conversation")).to_contain_text("talk to a real person")
    console.get_by_role("button", name="Take over").click()
    expect(chat.locator("#human-banner")).to_be_visible()
    expect(chat.locator(".msg.system").last).to_contain_text("joined the conversation")

    message = console.get_by_label("Message to the customer (sent as you)")
    expect(message).to_be_focused()
    message.fill("Hello, I'm from the support team and I'm looking at your order now.")
    message.press("Enter")
    expect(chat.locator(".msg.agent_human")).to_contain_text("looking at your order now")

    # While the human holds the session, the customer's reply reaches them and no agent runs.
    chat.get_by_label("Your message").fill("thanks, it is order " + pick.order.order_id)
    chat.get_by_label("Your message").press("Enter")
    expect(chat.locator(".msg.system").last).to_contain_text("passed to the support agent")
    expect(console.locator("#conversation")).to_contain_text(pick.order.order_id)
    shoot(console, "console.png")

    console.get_by_role("button", name="Hand back to the assistant").click()
    expect(chat.locator(".msg.system").last).to_contain_text("back with the assistant")
    expect(chat.locator("#human-banner")).to_be_hidden()
    console.get_by_role("button", name="Close ticket").click()
    expect(console.locator("#ticket-status")).to_contain_text("closed")


def test_the_console_refuses_a_customer_token(new_page: Any, agent: RunningAgent) -> None:
    page = new_page()
    page.goto(f"/console#token={token(agent, CustomerRef('northwind', 'CUS-100001'))}")
    expect(page.get_by_role("alert")).to_contain_text("customer token cannot open it")
    expect(page.locator("#desk")).to_be_hidden()


# ---------------------------------------------------------------- knowledge base


def test_a_kb_edit_changes_the_answer_after_reindex(
    new_page: Any, agent: RunningAgent, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED, client_id="northwind")
    chat = new_page()
    open_chat(chat, agent, pick.who)
    expect(ask(chat, DAMAGED_FINAL_SALE)).to_contain_text("within 7 days")

    kb = new_page()
    kb.goto(f"/console/kb#token={token(agent)}")
    kb.get_by_role("button", name=f"Edit {FINAL_SALE_DOC}").click()
    editor = kb.get_by_label(re.compile("Markdown with front matter"))
    expect(editor).to_have_value(re.compile("within 7 days of delivery"))
    edited = (
        editor.input_value()
        .replace(
            "within 7 days of delivery and we will replace",
            "within 21 days of delivery and we will replace",
        )
        .replace('policy_version: "2026.1"', 'policy_version: "2026.2"')
    )
    editor.fill(edited)
    kb.get_by_role("button", name="Dry run: show the diff").click()
    status = kb.locator("#diff-status")
    expect(status).to_contain_text("1 changed")
    expect(status).to_contain_text("Nothing has been written")
    expect(kb.locator("#diff")).to_contain_text("2026.1 → 2026.2")
    expect(kb.locator(".diff-group.changed")).to_contain_text("within 21 days")
    shoot(kb, "kb.png")
    # The dry run wrote nothing: the customer still gets the old answer.
    expect(ask(chat, DAMAGED_FINAL_SALE)).to_contain_text("within 7 days")

    kb.get_by_role("button", name="Apply the re-index").click()
    expect(status).to_contain_text("Re-indexed")
    expect(status).to_contain_text("1 embedded")
    kb.get_by_label("Question").fill("damaged final sale item")
    kb.get_by_role("button", name="Search").click()
    first_hit = kb.locator(".hit").first
    expect(first_hit).to_contain_text("within 21 days")
    expect(first_hit.locator(".score")).to_have_text(re.compile(r"^-?\d+\.\d{4}$"))
    assert "within 21 days" in (agent.kb_dir / FINAL_SALE_DOC).read_text()

    expect(ask(chat, DAMAGED_FINAL_SALE)).to_contain_text("within 21 days")


def test_a_kb_upload_with_bad_front_matter_is_refused_and_changes_nothing(
    new_page: Any, agent: RunningAgent
) -> None:
    page = new_page()
    page.goto(f"/console/kb#token={token(agent)}")
    expect(page.locator("#docs tbody tr").first).to_be_visible()
    rows = page.locator("#docs tbody tr").count()
    page.get_by_label("File name (in this tenant's folder)").fill("broken-policy.md")
    page.get_by_label(re.compile("Markdown with front matter")).fill(
        "---\nclient_id: northwind\nregion: Mars\n---\n\n## Returns\n\nAnything goes.\n"
    )
    page.get_by_role("button", name="Dry run: show the diff").click()
    expect(page.locator("#kb-error")).to_contain_text("kb_format")
    expect(page.locator("#kb-error")).to_contain_text("invalid front matter")
    expect(page.get_by_role("button", name="Apply the re-index")).to_be_disabled()
    assert page.locator("#docs tbody tr").count() == rows
    assert not (agent.kb_dir / "northwind" / "broken-policy.md").exists()


def test_phone_sized_screens(new_page: Any, agent: RunningAgent, seed: SeedIndex) -> None:
    pick = seed.take(ShipmentStatus.OUT_FOR_DELIVERY, client_id="northwind")
    page = new_page(390, 844)
    open_chat(page, agent, pick.who)
    ask(page, f"where is {pick.order.order_id}?")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "chat-phone.png")
    console = new_page(390, 844)
    console.goto(f"/console#token={token(agent)}")
    expect(console.get_by_role("heading", name="Escalation queue")).to_be_visible()
    assert console.evaluate("document.documentElement.scrollWidth") <= 390


# ---------------------------------------------------------------- the endpoints' unhappy paths


@pytest.fixture
def http(agent: RunningAgent) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=agent.base_url, timeout=60) as client:
        yield client


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_console_and_kb_endpoints_refuse_customer_and_expired_tokens(
    http: httpx.Client, agent: RunningAgent
) -> None:
    customer = bearer(token(agent, CustomerRef("northwind", "CUS-100001")))
    expired = bearer(token(agent, ttl_s=-60))
    for path in ("/v1/console/tickets", "/v1/console/kb/documents"):
        assert http.get(path, headers=customer).status_code == 403
        response = http.get(path, headers=expired)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
    # And agents cannot chat.
    assert http.post("/v1/sessions", headers=bearer(token(agent))).status_code == 403


def test_takeover_of_an_unknown_ticket_or_an_ended_session_is_404(
    http: httpx.Client, agent: RunningAgent, seed: SeedIndex, redis_url: str
) -> None:
    headers = bearer(token(agent))
    response = http.post(
        "/v1/console/tickets/TCK-00000000/messages", headers=headers, json={"text": "hi"}
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_ticket"

    # A ticket whose conversation has gone (expired): 404 unknown_session, nothing written.
    pick = seed.take(ShipmentStatus.DELIVERED, client_id="northwind")
    customer = bearer(token(agent, pick.who))
    session_id = http.post("/v1/sessions", headers=customer).json()["session_id"]
    events = http.post(
        f"/v1/sessions/{session_id}/messages",
        headers=customer,
        json={"message": "I want to talk to a real person please", "stream": False},
    ).json()["events"]
    (ticket_id,) = [e["data"]["ticket_id"] for e in events if e["type"] == "escalated"]
    run_async(_delete_session(redis_url, agent.pipeline.sessions.key("northwind", session_id)))
    for action, body in (("takeover", None), ("messages", {"text": "hello"})):
        response = http.post(
            f"/v1/console/tickets/{ticket_id}/{action}", headers=headers, json=body
        )
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "unknown_session"
    detail = http.get(f"/v1/console/tickets/{ticket_id}", headers=headers).json()
    assert detail["conversation"] is None and detail["held_by"] is None

    # Another tenant's agent does not see the ticket at all.
    globex = bearer(agent.tokens.issue("agent-9", "globex", Role.AGENT))
    assert http.get(f"/v1/console/tickets/{ticket_id}", headers=globex).status_code == 404
    assert ticket_id not in str(http.get("/v1/console/tickets", headers=globex).json())


async def _delete_session(redis_url: str, key: str) -> None:
    redis = Redis.from_url(redis_url)
    try:
        await redis.delete(key)
    finally:
        await redis.aclose()


def test_messages_need_a_takeover_and_the_live_stream_is_the_owners(
    http: httpx.Client, agent: RunningAgent, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.DELIVERED, client_id="northwind")
    customer = bearer(token(agent, pick.who))
    session_id = http.post("/v1/sessions", headers=customer).json()["session_id"]
    events = http.post(
        f"/v1/sessions/{session_id}/messages",
        headers=customer,
        json={"message": "I want to talk to a real person please", "stream": False},
    ).json()["events"]
    (ticket_id,) = [e["data"]["ticket_id"] for e in events if e["type"] == "escalated"]
    response = http.post(
        f"/v1/console/tickets/{ticket_id}/messages",
        headers=bearer(token(agent)),
        json={"text": "hi"},
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_taken_over"
    other = bearer(token(agent, seed.other_customer_same_client(pick.who)))
    assert http.get(f"/v1/sessions/{session_id}/events", headers=other).status_code == 404


def test_kb_documents_from_another_tenant_are_refused(
    http: httpx.Client, agent: RunningAgent
) -> None:
    headers = bearer(token(agent))
    source = (agent.kb_dir / FINAL_SALE_DOC).read_text()
    foreign = source.replace("client_id: northwind", "client_id: globex")
    response = http.post(
        "/v1/console/kb/plan", headers=headers, json={"name": "x.md", "markdown": foreign}
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "wrong_tenant"
    response = http.post(
        "/v1/console/kb/apply", headers=headers, json={"name": "../x.md", "markdown": source}
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_name"
    response = http.get("/v1/console/kb/documents/globex/returns-policy-us.md", headers=headers)
    assert response.status_code == 404
    documents = http.get("/v1/console/kb/documents", headers=headers).json()["documents"]
    assert {d["source_doc"].split("/")[0] for d in documents} == {"northwind"}


def test_demo_sign_in_is_off_unless_enabled(
    agent: RunningAgent, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OSA_DEMO_SIGNIN", raising=False)
    assert AgentSettings.load().demo_signin is False
    monkeypatch.setenv("OSA_DEMO_SIGNIN", "1")
    assert AgentSettings.load().demo_signin is True
    monkeypatch.setenv("OSA_DEMO_SIGNIN", "0")
    settings = AgentSettings.load()
    assert settings.demo_signin is False

    async def scrub(text: str) -> str:
        return text

    web = build_web(
        settings, sessions=agent.pipeline.sessions, tokens=agent.tokens, scrub=scrub, kb=None
    )
    app = create_chat_app(agent.pipeline, agent.tokens, web)

    async def calls() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://agent") as client:
            assert (await client.get("/v1/web/config")).json()["demo_signin"] is False
            for response in (
                await client.get("/v1/demo/tenants"),
                await client.post(
                    "/v1/demo/token", json={"client_id": "northwind", "customer_id": "CUS-100001"}
                ),
            ):
                assert response.status_code == 404
                assert response.json()["error"]["code"] == "demo_signin_disabled"

    run_async(calls())


def test_a_takeover_voids_the_proposal_on_screen(
    http: httpx.Client,
    agent: RunningAgent,
    clean_orders: CleanPool,
    platform_server: RunningPlatform,
) -> None:
    order = clean_orders.take()
    customer = bearer(token(agent, order.who))
    console = bearer(agent.tokens.issue("agent-3", order.who.client_id, Role.AGENT))
    session_id = http.post("/v1/sessions", headers=customer).json()["session_id"]

    def say(message: str) -> list[dict[str, Any]]:
        response = http.post(
            f"/v1/sessions/{session_id}/messages",
            headers=customer,
            json={"message": message, "stream": False},
        )
        assert response.status_code == 200, response.text
        return list(response.json()["events"])

    events = say("I want to talk to a real person please")
    (ticket_id,) = [e["data"]["ticket_id"] for e in events if e["type"] == "escalated"]
    events = say(f"I want a refund for {order.order_id}, it never arrived")
    assert [e for e in events if e["type"] == "confirmation_required"]
    assert http.post(f"/v1/console/tickets/{ticket_id}/takeover", headers=console).is_success
    # Held: the "yes" reaches the human, and no agent runs.
    assert say("yes")[-1]["data"] == {"ok": True, "human": True}
    assert http.post(f"/v1/console/tickets/{ticket_id}/handback", headers=console).is_success
    # Handed back: the proposal shown before the take-over can no longer be confirmed.
    say("yes")
    assert refunds_of(platform_server.base_url, order.who, order.order_id) == []
    turns = http.get(f"/v1/sessions/{session_id}", headers=customer).json()["turns"]
    assert [t["text"] for t in turns if t["role"] == "user"][-2:] == ["yes", "yes"]
