// Sign-in shared by the console pages: an `agent` token in sessionStorage, validated by the API.
"use strict";

const AgentAuth = (() => {
  const { api, store, signin, tokenFromFragment } = Osa;
  const token = store("osa.agent.token");

  function boot({ onReady }) {
    const $ = (id) => document.getElementById(id);
    function signedOut(message) {
      token.clear();
      $("signout").hidden = true;
      $("who").textContent = "";
      for (const id of ["desk", "kb"]) if ($(id)) $(id).hidden = true;
      $("signin").hidden = false;
      return signin({
        root: $("signin"),
        role: "agent",
        message,
        onToken: async (value) => {
          const who = await api(value, "/v1/whoami");
          if (who.role !== "agent") throw new Error("This console is for support agents: a customer token cannot open it.");
          token.set(value);
          await ready(who);
        },
      });
    }
    async function ready(who) {
      $("signin").hidden = true;
      $("signout").hidden = false;
      $("who").textContent = `${who.user_id} · ${who.client_id}`;
      await onReady(who);
    }
    $("signout").addEventListener("click", () => signedOut(""));
    const handed = tokenFromFragment();
    if (handed) token.set(handed);
    const expired = "Your sign-in has expired. Please sign in again.";
    if (!token.get()) return { signedOut, token };
    api(token.get(), "/v1/whoami")
      .then((who) => (who.role === "agent" ? ready(who) : signedOut("This console is for support agents: a customer token cannot open it.")))
      .catch((err) => signedOut(err.status === 401 ? expired : err.message));
    return { signedOut, token };
  }

  return {
    start(options) {
      const handle = boot(options);
      if (!token.get()) handle.signedOut("");
      return handle;
    },
    token: () => token.get(),
  };
})();
