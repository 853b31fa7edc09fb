// Knowledge-base management: documents, upload/edit with a dry-run diff, apply, trial queries.
"use strict";

(() => {
  const { api, el } = Osa;
  const $ = (id) => document.getElementById(id);
  let me = null;
  let planned = null; // the {name, markdown} whose dry run is on screen
  let auth = null;

  async function call(path, options) {
    try {
      const data = await api(AgentAuth.token(), path, options);
      $("kb-error").textContent = "";
      return data;
    } catch (err) {
      if (err.status === 401) auth.signedOut("Your sign-in has expired. Please sign in again.");
      $("kb-error").textContent = `${err.message}${err.code ? ` (${err.code})` : ""}`;
      throw err;
    }
  }

  function template() {
    const today = new Date().toISOString().slice(0, 10);
    return `---\nclient_id: ${me.client_id}\nregion: ALL\npolicy_version: "${today.slice(0, 4)}.1"\nproduct_category: all\neffective_date: ${today}\ntitle: New policy\n---\n\n## Section heading\n\nPolicy text.\n`;
  }

  async function loadDocuments() {
    const { documents } = await call("/v1/console/kb/documents");
    $("docs").tBodies[0].replaceChildren(...documents.map((d) => el("tr", {},
      el("th", { scope: "row" }, el("span", { class: "doc", text: d.source_doc }), el("br"), el("span", { class: "muted", text: d.title })),
      el("td", { text: d.region }), el("td", { text: d.product_category }), el("td", { text: d.policy_version }), el("td", { text: d.chunks }),
      el("td", {}, d.editable ? el("button", { type: "button", "data-doc": d.source_doc, text: "Edit", "aria-label": `Edit ${d.source_doc}`, onclick: () => edit(d.source_doc) }) : null))));
    if (!documents.length) $("docs").tBodies[0].append(el("tr", {}, el("td", { colspan: "6", text: "No documents indexed for this tenant yet." })));
  }

  async function edit(sourceDoc) {
    const [client, name] = sourceDoc.split("/");
    const { markdown } = await call(`/v1/console/kb/documents/${encodeURIComponent(client)}/${encodeURIComponent(name)}`);
    $("doc-name").value = name;
    $("markdown").value = markdown;
    resetPlan();
    $("edit-heading").focus();
  }

  function resetPlan() {
    planned = null;
    $("apply").disabled = true;
    $("diff").replaceChildren();
  }

  function chunkList(title, sign, chunks) {
    if (!chunks.length) return null;
    return el("section", { class: `diff-group ${title}` },
      el("h4", { text: `${title} (${chunks.length})` }),
      el("ul", {}, chunks.map((c) => el("li", {},
        el("span", { class: "sign", "aria-hidden": "true", text: sign }),
        el("strong", { text: c.section }),
        c.policy_version ? el("span", { class: "muted", text: ` · v${c.policy_version}` }) : null,
        c.text && sign !== "*" ? el("pre", { text: c.text }) : null))));
  }

  function showPlan(plan) {
    const counts = Object.entries(plan.counts).map(([k, v]) => `${v} ${k}`).join(", ");
    const head = plan.dry_run
      ? (plan.noop ? "Dry run: nothing would change." : `Dry run: ${counts}. Nothing has been written yet.`)
      : `Re-indexed: ${counts}; ${plan.embedded} embedded, ${plan.deleted} deleted in ${plan.seconds} s${plan.saved_to_kb_dir ? "; saved to the KB folder" : ""}.`;
    $("diff").replaceChildren(...[
      el("p", { class: plan.dry_run ? "status" : "status done", role: "status", id: "diff-status", text: head }),
      plan.version_changes.length ? el("ul", { class: "versions" }, plan.version_changes.map((v) => el("li", { text: `policy_version of ${v.source_doc}: ${v.old || "(new)"} → ${v.new || "(removed)"}` }))) : null,
      chunkList("added", "+", plan.added),
      chunkList("changed", "~", plan.changed),
      chunkList("retagged", "*", plan.retagged),
      chunkList("removed", "−", plan.removed),
    ].filter(Boolean));
  }

  $("editor").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { name: $("doc-name").value.trim(), markdown: $("markdown").value };
    resetPlan();
    try {
      const plan = await call("/v1/console/kb/plan", { method: "POST", body });
      showPlan(plan);
      planned = body;
      $("apply").disabled = plan.noop;
    } catch {
      /* shown in the alert */
    }
  });
  $("markdown").addEventListener("input", resetPlan);
  $("doc-name").addEventListener("input", resetPlan);
  $("doc-file").addEventListener("change", async () => {
    const file = $("doc-file").files[0];
    if (!file) return;
    $("markdown").value = await file.text();
    if (!$("doc-name").value) $("doc-name").value = file.name.toLowerCase();
    resetPlan();
  });
  $("apply").addEventListener("click", async () => {
    if (!planned) return;
    $("apply").disabled = true;
    try {
      const report = await call("/v1/console/kb/apply", { method: "POST", body: planned });
      showPlan(report);
      planned = null;
      await loadDocuments();
    } catch {
      $("apply").disabled = false;
    }
  });
  $("query-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { query: $("query").value.trim(), region: $("region").value || null, top_k: Number($("top-k").value) || 5 };
    try {
      const { hits, mode } = await call("/v1/console/kb/query", { method: "POST", body });
      $("hits").replaceChildren(...hits.map((h) => el("li", { class: "hit" },
        el("p", {}, el("span", { class: "score", text: h.score.toFixed(4) }), " ", el("strong", { text: h.source_doc }), ` § ${h.section} · v${h.policy_version}`),
        el("pre", { text: h.text }))));
      if (!hits.length) $("hits").append(el("li", { text: `No chunks found (${mode}).` }));
    } catch {
      /* shown in the alert */
    }
  });

  auth = AgentAuth.start({
    onReady: async (who) => {
      me = who;
      $("kb").hidden = false;
      if (!$("markdown").value) $("markdown").value = template();
      try {
        await loadDocuments();
      } catch {
        /* shown in the alert */
      }
    },
  });
})();
