// Shared by the three pages: the token in sessionStorage, JSON calls, SSE over fetch, sign-in.
"use strict";

const Osa = (() => {
  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  function store(key) {
    return {
      get: () => sessionStorage.getItem(key),
      set: (value) => sessionStorage.setItem(key, value),
      clear: () => sessionStorage.removeItem(key),
    };
  }

  async function api(token, path, { method = "GET", body } = {}) {
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, "network", "The service cannot be reached. Check your connection.");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = data.error || {};
      throw new ApiError(response.status, error.code || "http_error", error.message || response.statusText);
    }
    return data;
  }

  // Reads a text/event-stream body and calls onEvent(name, data) for each event.
  async function readSse(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let name = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) name = line.slice(7);
          else if (line.startsWith("data: ")) data.push(line.slice(6));
        }
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      }
    }
  }

  async function stream(token, path, { method = "GET", body, signal } = {}) {
    const headers = { Accept: "text/event-stream" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method,
      headers,
      signal,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      const error = data.error || {};
      throw new ApiError(response.status, error.code || "http_error", error.message || response.statusText);
    }
    return response;
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // A token handed over in the URL fragment (#token=...) is taken once and removed from the URL.
  function tokenFromFragment() {
    const match = /(?:^|&)token=([^&]+)/.exec(location.hash.slice(1));
    if (!match) return null;
    history.replaceState(null, "", location.pathname + location.search);
    return decodeURIComponent(match[1]);
  }

  // The sign-in panel: demo sign-in when the service offers it, else a pasted platform token.
  // role: "customer" or "agent". onToken(token) must validate it (and may throw ApiError).
  async function signin({ root, role, message, onToken }) {
    root.replaceChildren();
    const status = el("p", { class: "alert", role: "alert", id: "signin-error" });
    if (message) status.textContent = message;
    root.append(el("h2", { text: "Sign in", tabindex: "-1", id: "signin-heading" }), status);

    async function use(token) {
      status.textContent = "";
      try {
        await onToken(token);
      } catch (err) {
        status.textContent = err.message || String(err);
      }
    }

    let config = { demo_signin: false };
    try {
      config = await api(null, "/v1/web/config");
    } catch (err) {
      status.textContent = err.message;
    }
    if (config.demo_signin) {
      const demo = el("section", { class: "demo", "aria-labelledby": "demo-heading" },
        el("h3", { id: "demo-heading", text: "Demo sign-in (local runs only)" }));
      root.append(demo);
      try {
        const { tenants } = await api(null, "/v1/demo/tenants");
        for (const tenant of tenants) {
          const group = el("div", { class: "tenant" }, el("h4", { text: `${tenant.name} (${tenant.client_id})` }));
          if (role === "agent") {
            group.append(el("button", {
              type: "button",
              class: "choice",
              "data-client": tenant.client_id,
              text: `Support agent of ${tenant.name}`,
              onclick: async () => {
                const { token } = await api(null, "/v1/demo/token", { method: "POST", body: { client_id: tenant.client_id, role: "agent" } });
                await use(token);
              },
            }));
          } else {
            const list = el("ul", { class: "choices" });
            for (const c of tenant.customers) {
              list.append(el("li", {}, el("button", {
                type: "button",
                class: "choice",
                "data-customer": c.customer_id,
                onclick: async () => {
                  try {
                    const { token } = await api(null, "/v1/demo/token", { method: "POST", body: { client_id: tenant.client_id, customer_id: c.customer_id } });
                    await use(token);
                  } catch (err) {
                    status.textContent = err.message;
                  }
                },
              }, el("strong", { text: c.customer_id }), ` ${c.tier} · ${c.region} · ${c.shipments.join(", ").replaceAll("_", " ")}`)));
            }
            group.append(list);
          }
          demo.append(group);
        }
      } catch (err) {
        status.textContent = err.message;
      }
    }
    const field = el("textarea", { id: "token-input", rows: "3", autocomplete: "off", spellcheck: "false", required: true });
    const form = el("form", { class: "token-form" },
      el("label", { for: "token-input", text: role === "agent" ? "Support agent token" : "Your sign-in token from the store" }),
      field,
      el("button", { type: "submit", text: "Sign in" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      await use(field.value.trim());
    });
    root.append(form);
    document.getElementById("signin-heading").focus();
  }

  function time(iso) {
    try {
      return new Date(iso).toLocaleString();
    } catch {
      return iso;
    }
  }

  return { ApiError, api, stream, readSse, el, store, signin, tokenFromFragment, time };
})();
