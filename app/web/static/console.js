// Support console: the tenant's escalation queue, a ticket's summary, trace and conversation,
// take-over / hand-back / close, and messages to the customer as a human.
"use strict";

(() => {
  const { api, el, time } = Osa;
  const $ = (id) => document.getElementById(id);
  // New escalations appear by polling every 3 s rather than a push stream: tickets are created
  // by the platform (from any ingress replica, or outside the agent), and the platform offers
  // no change feed, so the queue must be read from it anyway. One small GET per open console
  // every few seconds is cheap, survives reconnects and proxies, and needs no extra state.
  const POLL_MS = 3000;
  let me = null;
  let selected = null;
  let known = null;
  let timer = null;
  let auth = null;

  async function call(path, options) {
    try {
      return await api(AgentAuth.token(), path, options);
    } catch (err) {
      if (err.status === 401) {
        clearInterval(timer);
        auth.signedOut("Your sign-in has expired. Please sign in again.");
      }
      throw err;
    }
  }

  function statusLabel(ticket) {
    return ticket.held_by ? `${ticket.status.replace("_", " ")} · held by ${ticket.held_by}` : ticket.status.replace("_", " ");
  }

  async function refreshQueue() {
    let data;
    try {
      data = await call("/v1/console/tickets");
      $("console-error").textContent = "";
    } catch (err) {
      $("console-error").textContent = err.message;
      return;
    }
    const fresh = known === null ? [] : data.tickets.filter((t) => !known.has(t.ticket_id));
    known = new Set(data.tickets.map((t) => t.ticket_id));
    const list = $("queue");
    list.replaceChildren(...data.tickets.map((t) => el("li", {},
      el("button", {
        type: "button",
        class: `ticket ${t.status}${fresh.some((f) => f.ticket_id === t.ticket_id) ? " new" : ""}${t.ticket_id === selected ? " selected" : ""}`,
        "data-ticket": t.ticket_id,
        "aria-current": t.ticket_id === selected ? "true" : null,
        onclick: () => select(t.ticket_id),
      },
      el("strong", { text: t.ticket_id }),
      el("span", { class: "reason", text: t.reason.replaceAll("_", " ") }),
      el("span", { class: "meta", text: `${t.customer_id} · ${statusLabel(t)} · ${time(t.created_at)}` })))));
    const open = data.tickets.filter((t) => t.status !== "closed").length;
    $("queue-status").textContent = fresh.length
      ? `New escalation: ${fresh.map((t) => t.ticket_id).join(", ")}. ${open} open.`
      : `${open} open of ${data.tickets.length}.`;
    if (selected) await refreshDetail(false);
  }

  function turnItem(turn) {
    const who = { user: "Customer", assistant: "Assistant", agent_human: "Support agent", system: "Notice" }[turn.role] || turn.role;
    const trace = [
      ...(turn.tool_calls || []).map((c) => `tool ${c.tool} ${c.ok ? "ok" : "failed"}: ${c.summary}`),
      ...(turn.decisions || []),
    ];
    return el("li", { class: `msg ${turn.role}` },
      el("span", { class: "from", text: `${who} · ${time(turn.at)}` }),
      el("p", { class: "text", text: turn.text }),
      trace.length ? el("details", {}, el("summary", { text: "Trace" }), el("ul", { class: "trace" }, trace.map((line) => el("li", { text: line })))) : null);
  }

  async function refreshDetail(focus) {
    let ticket;
    try {
      ticket = await call(`/v1/console/tickets/${encodeURIComponent(selected)}`);
    } catch (err) {
      $("console-error").textContent = err.message;
      return;
    }
    const mine = ticket.held_by === me.user_id;
    const closed = ticket.status === "closed";
    const conversation = ticket.conversation;
    const detail = $("detail");
    const draft = $("agent-message") ? $("agent-message").value : "";
    const hadFocus = document.activeElement && document.activeElement.id === "agent-message";
    $("detail-heading").textContent = `${ticket.ticket_id} · ${ticket.reason.replaceAll("_", " ")}`;
    const actions = el("div", { class: "actions" },
      el("button", { type: "button", id: "takeover", class: "primary", disabled: mine || closed || !conversation, text: "Take over", onclick: () => act("takeover") }),
      el("button", { type: "button", id: "handback", disabled: !mine, text: "Hand back to the assistant", onclick: () => act("handback") }),
      el("button", { type: "button", id: "close-ticket", disabled: closed, text: "Close ticket", onclick: () => act("close") }));
    const form = el("form", { class: "composer", id: "agent-form" },
      el("label", { for: "agent-message", text: "Message to the customer (sent as you)" }),
      el("input", { id: "agent-message", type: "text", maxlength: "2000", autocomplete: "off", disabled: !mine, required: true }),
      el("button", { type: "submit", id: "agent-send", disabled: !mine, text: "Send" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = $("agent-message").value.trim();
      if (!text) return;
      try {
        await call(`/v1/console/tickets/${encodeURIComponent(selected)}/messages`, { method: "POST", body: { text } });
        $("agent-message").value = "";
        await refreshDetail(false);
        $("agent-message").focus();
      } catch (err) {
        $("console-error").textContent = err.message;
      }
    });
    detail.replaceChildren(...[
      el("dl", { class: "facts" },
        el("dt", { text: "Customer" }), el("dd", { text: ticket.customer_id }),
        el("dt", { text: "Order" }), el("dd", { text: ticket.order_id || "—" }),
        el("dt", { text: "Status" }), el("dd", { id: "ticket-status", text: statusLabel(ticket) }),
        el("dt", { text: "Opened" }), el("dd", { text: time(ticket.created_at) })),
      actions,
      el("h3", { text: "Summary" }), el("p", { class: "summary", text: ticket.summary }),
      el("details", { open: true }, el("summary", { text: "Decision trace" }),
        el("ol", { class: "trace" }, ticket.decision_trace.map((line) => el("li", { text: line })))),
      el("h3", { text: "Conversation (personal data removed)" }),
      conversation
        ? el("ol", { class: "log", id: "conversation" }, conversation.turns.map(turnItem))
        : el("p", { class: "muted", text: "The conversation has ended or expired." }),
      conversation && conversation.summary ? el("details", {}, el("summary", { text: "Earlier turns (summary)" }), el("pre", { text: conversation.summary })) : null,
      form,
    ].filter(Boolean));
    if (draft) $("agent-message").value = draft;
    if (hadFocus) $("agent-message").focus();
    if (focus) $("detail-heading").focus();
  }

  async function act(action) {
    try {
      await call(`/v1/console/tickets/${encodeURIComponent(selected)}/${action}`, { method: "POST" });
      await refreshDetail(false);
      if (action === "takeover") $("agent-message").focus();
      refreshQueue();
    } catch (err) {
      $("console-error").textContent = err.message;
    }
  }

  async function select(ticketId) {
    selected = ticketId;
    for (const b of document.querySelectorAll(".ticket")) {
      b.classList.toggle("selected", b.dataset.ticket === ticketId);
      if (b.dataset.ticket === ticketId) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    }
    await refreshDetail(true);
  }

  auth = AgentAuth.start({
    onReady: async (who) => {
      me = who;
      $("desk").hidden = false;
      known = null;
      await refreshQueue();
      clearInterval(timer);
      timer = setInterval(refreshQueue, POLL_MS);
    },
  });
})();
