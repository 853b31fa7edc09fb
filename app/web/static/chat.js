// Customer chat: streamed answers, Confirm/Cancel for proposed writes, tickets, live support.
"use strict";

(() => {
  const { api, stream, readSse, el, store, signin, tokenFromFragment } = Osa;
  const token = store("osa.customer.token");
  const session = store("osa.customer.session");
  const $ = (id) => document.getElementById(id);
  const log = $("log");
  const input = $("message");
  let busy = false;
  let live = null; // AbortController of the live-events stream
  let focusAfterTurn = null; // the Confirm button of a proposal shown in this turn

  const ROLE_LABEL = { user: "You", assistant: "Assistant", agent_human: "Support agent", system: "Notice" };

  function bubble(role, text = "") {
    const body = el("p", { class: "text", text });
    const item = el("li", { class: `msg ${role}` }, el("span", { class: "from", text: ROLE_LABEL[role] || role }), body);
    log.append(item);
    item.scrollIntoView({ block: "end" });
    return body;
  }

  function notice(text, kind = "notice") {
    const item = el("li", { class: `msg system ${kind}`, role: "status" }, el("p", { class: "text", text }));
    log.append(item);
    item.scrollIntoView({ block: "end" });
    return item;
  }

  function money(amount, currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount);
    } catch {
      return `${amount} ${currency}`;
    }
  }

  // The exact proposal a "yes" would write, with Confirm / Cancel (typed replies work too).
  function proposal(data) {
    const what = data.action === "refund" ? "Refund" : "Return";
    const rows = [
      ["Action", what],
      ["Order", data.order_id],
      ["Amount", money(data.amount, data.currency || "USD")],
      ["Reason", String(data.reason_code || "").replaceAll("_", " ").toLowerCase()],
    ];
    if (data.items && data.items.length) {
      rows.push(["Items", data.items.map((i) => `${i.quantity} × ${i.sku}`).join(", ")]);
    }
    const confirm = el("button", { type: "button", class: "primary", "data-action": "confirm", text: "Confirm" });
    const cancel = el("button", { type: "button", "data-action": "cancel", text: "Cancel" });
    const card = el("li", { class: "msg proposal", "aria-label": "Proposal awaiting your confirmation" },
      el("p", { class: "from", text: "Please confirm" }),
      el("dl", {}, rows.map(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })])),
      el("div", { class: "actions" }, confirm, cancel));
    // The buttons answer this very proposal by its id: a click can never confirm other terms.
    const settle = (decision) => {
      confirm.disabled = true;
      cancel.disabled = true;
      card.classList.add("answered");
      send(decision === "yes" ? "Yes" : "No", { proposal_id: data.proposal_id, decision });
    };
    confirm.addEventListener("click", () => settle("yes"));
    cancel.addEventListener("click", () => settle("no"));
    log.append(card);
    card.scrollIntoView({ block: "end" });
    focusAfterTurn = confirm;
  }

  function closeOpenProposals() {
    for (const button of log.querySelectorAll(".proposal:not(.answered) button")) button.disabled = true;
  }

  function setBusy(value) {
    busy = value;
    $("send").disabled = value;
    log.setAttribute("aria-busy", String(value));
  }

  // `answer` is a structured answer to a proposal ({proposal_id, decision}); typed text has none.
  async function send(text, answer) {
    if (busy || !text) return;
    $("chat-error").textContent = "";
    closeOpenProposals();
    bubble("user", text);
    setBusy(true);
    let reply = null;
    try {
      const response = await stream(token.get(), `/v1/sessions/${encodeURIComponent(session.get())}/messages`, {
        method: "POST",
        body: answer ? { ...answer } : { message: text },
      });
      await readSse(response, (name, data) => {
        if (name === "token") {
          if (!reply) reply = bubble("assistant");
          reply.textContent += data.text;
        } else if (name === "confirmation_required") {
          proposal(data);
        } else if (name === "escalated") {
          notice(`Ticket ${data.ticket_id} opened: a member of our support team will follow up.`, "ticket");
        } else if (name === "error") {
          bubble("assistant", data.message);
        } else if (name === "done" && data.human) {
          notice("Your message was passed to the support agent handling this conversation.");
        }
      });
    } catch (err) {
      await failed(err);
    } finally {
      setBusy(false);
      (focusAfterTurn || input).focus();
      focusAfterTurn = null;
    }
  }

  async function failed(err) {
    if (err.status === 401) return signedOut("Your sign-in has expired. Please sign in again.");
    if (err.status === 404 && err.code === "unknown_session") {
      session.clear();
      $("chat-error").textContent = "That conversation has ended. A new one has started.";
      return start();
    }
    $("chat-error").textContent = err.message;
  }

  // Live events outside a turn: a support agent taking over, their messages, hand-back.
  async function follow() {
    if (live) live.abort();
    const controller = new AbortController();
    live = controller;
    let delay = 1000;
    while (live === controller) {
      try {
        const response = await stream(token.get(), `/v1/sessions/${encodeURIComponent(session.get())}/events`, { signal: controller.signal });
        delay = 1000;
        await readSse(response, (name, data) => {
          if (name === "state") $("human-banner").hidden = !data.human;
          else if (name === "takeover") {
            $("human-banner").hidden = false;
            closeOpenProposals(); // a proposal cannot be confirmed once a person has taken over
            notice("A member of our support team has joined the conversation.");
          } else if (name === "agent_message") bubble("agent_human", data.text);
          else if (name === "handback") {
            $("human-banner").hidden = true;
            notice("You are back with the assistant.");
          }
        });
      } catch (err) {
        if (controller.signal.aborted) return;
        if (err.status === 401) return signedOut("Your sign-in has expired. Please sign in again.");
        if (err.status === 404) return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15000);
    }
  }

  async function start() {
    $("signin").hidden = true;
    $("chat").hidden = false;
    $("signout").hidden = false;
    log.replaceChildren();
    // Nothing can be sent until the session exists: a message typed earlier would have nowhere to go.
    setBusy(true);
    try {
      await openSession();
    } finally {
      setBusy(false);
    }
    follow();
    input.focus();
  }

  async function openSession() {
    const who = await api(token.get(), "/v1/whoami");
    $("who").textContent = `${who.user_id} · ${who.client_id}`;
    let turns = [];
    if (session.get()) {
      try {
        turns = (await api(token.get(), `/v1/sessions/${encodeURIComponent(session.get())}`)).turns;
      } catch (err) {
        if (err.status !== 404) throw err;
        session.clear();
      }
    }
    if (!session.get()) {
      const created = await api(token.get(), "/v1/sessions", { method: "POST" });
      session.set(created.session_id);
    }
    for (const turn of turns) bubble(turn.role, turn.text);
    if (!turns.length) bubble("assistant", "Hello! How can I help with your orders today?");
  }

  function signedOut(message) {
    if (live) live.abort();
    live = null;
    token.clear();
    session.clear();
    $("chat").hidden = true;
    $("signout").hidden = true;
    $("who").textContent = "";
    $("signin").hidden = false;
    return signin({
      root: $("signin"),
      role: "customer",
      message,
      onToken: async (value) => {
        const who = await api(value, "/v1/whoami");
        if (who.role !== "customer") throw new Error("This page is for customers; support agents use /console.");
        token.set(value);
        await start();
      },
    });
  }

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    // Keep what was typed while a turn is in flight rather than dropping it.
    if (busy || !text) return;
    input.value = "";
    send(text);
  });
  $("signout").addEventListener("click", () => signedOut(""));

  const handed = tokenFromFragment();
  if (handed) {
    token.set(handed);
    session.clear();
  }
  if (token.get()) {
    start().catch((err) => (err.status === 401 ? signedOut("Your sign-in has expired. Please sign in again.") : failed(err)));
  } else {
    signedOut("");
  }
})();
