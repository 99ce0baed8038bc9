/* The dashboard page: plain DOM, no libraries. initData travels in a header, never in a URL. */
"use strict";
(function () {
  const HEADER = "X-Telegram-Init-Data";
  const STATUSES = ["done", "in_progress", "not_started", "not_applicable"];
  const state = { texts: {}, me: null, view: "overview", resolution: "", filters: {}, page: 0, meta: null };
  const main = document.getElementById("main");

  // --- Telegram: initData, theme, "ready" (without telegram-web-app.js: nothing is loaded from a CDN) ---
  function fragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.get("tgWebAppData") && history.replaceState) {
      history.replaceState(null, "", location.pathname + location.search);  // the fragment held the sign-in
    }
    return params;
  }
  const hash = fragment();
  const tg = window.Telegram && window.Telegram.WebApp;
  const initData = (tg && tg.initData) || hash.get("tgWebAppData") || sessionStorage.getItem("initData") || "";
  if (initData) sessionStorage.setItem("initData", initData);
  applyTheme(hash.get("tgWebAppThemeParams"));
  postEvent("web_app_ready");
  postEvent("web_app_expand");

  function applyTheme(raw) {
    if (!raw) return;
    try {
      const theme = JSON.parse(raw);
      for (const [key, value] of Object.entries(theme)) {
        document.documentElement.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
      }
    } catch (e) { /* a malformed theme leaves the fallback colours */ }
  }
  function postEvent(type) {
    try {
      if (window.TelegramWebviewProxy) window.TelegramWebviewProxy.postEvent(type, "");
      else if (window.external && window.external.notify) window.external.notify(JSON.stringify({ eventType: type }));
      else if (window.parent !== window) window.parent.postMessage(JSON.stringify({ eventType: type, eventData: "" }), "*");
    } catch (e) { /* outside Telegram there is nobody to tell */ }
  }
  function userLanguage() {
    try { return JSON.parse(new URLSearchParams(initData).get("user") || "{}").language_code || ""; }
    catch (e) { return ""; }
  }

  // --- texts and DOM helpers ---
  function t(key, params) {
    const template = state.texts[key] || key;
    return template.replace(/\{(\w+)\}/g, (m, name) => (params && name in params ? String(params[name]) : m));
  }
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "onclick" || k === "onchange" || k === "oninput") node[k] = v;
      else if (k === "width") node.style.width = v;  // through the CSSOM: the page's CSP refuses style=""
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function show(...nodes) {
    main.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
    window.scrollTo(0, 0);
  }
  function showError(text) { show(el("div", { class: "card error", id: "error", role: "alert", text })); }
  function formatDate(iso) {
    if (!iso) return "";
    const d = new Date(iso.length === 10 ? iso + "T00:00:00" : iso);
    return d.toLocaleDateString(state.locale === "en" ? "en-GB" : "ru-RU");
  }

  // --- the API ---
  class ApiError extends Error {}
  async function api(path, params) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v !== "" && v !== null && v !== undefined) query.set(k, v);
    let response;
    try {
      response = await fetch("api/" + path + (query.toString() ? "?" + query : ""), { headers: { [HEADER]: initData } });
    } catch (e) { throw new ApiError(t("web.network_error")); }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(body.error || t("web.network_error"));
    return body;
  }
  async function run(render) {
    try { await render(); } catch (e) { showError(e instanceof ApiError ? e.message : t("web.network_error")); }
  }

  // --- shared pieces ---
  function tallyBar(tally) {
    const total = tally.total || 1;
    return el("div", { class: "bar-track" },
      STATUSES.map((s) => el("span", { class: "seg-" + s, width: (100 * tally[s] / total) + "%" })));
  }
  function badge(status, review) {
    return [el("span", { class: "badge badge-" + status, text: t("web.status." + status) }),
      review ? el("span", { class: "badge badge-review", text: t("web.review." + review) }) : null];
  }
  function legend() {
    return el("div", { class: "legend" }, [...STATUSES, "no_answer"].map((s) =>
      el("span", {}, el("span", { class: "cell cell-" + s }), t("web.status." + s))),
      ["pending", "returned"].map((r) =>
        el("span", {}, el("span", { class: "cell cell-no_answer review-" + r }), t("web.review." + r))));
  }
  function percent(value) {
    return value.toLocaleString(state.locale === "en" ? "en-GB" : "ru-RU", { maximumFractionDigits: 1 }) + "%";
  }
  function setTab(view) {
    state.view = view;
    for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.view === view);
  }

  // --- pages ---
  async function overview() {
    setTab("overview");
    const data = await api("overview", { resolution: state.resolution });
    fillResolutions(data.resolutions);
    if (!data.resolutions.length) return show(el("p", { class: "muted", text: t("web.no_data") }));
    const o = data.overall;
    const overdue = data.overdue;
    show(
      el("section", { class: "card", id: "overall" },
        el("div", { class: "muted", text: t("web.overall") }),
        el("div", { class: "big", id: "overall-percent", text: percent(o.percent) }),
        tallyBar(o),
        el("div", { id: "overall-done", text: t("web.done_of", { done: o.done, applicable: o.total - o.not_applicable }) }),
        el("div", { class: "muted", id: "overall-answered", text: t("web.answered_of", { answered: o.total - o.no_answer, total: o.total }) })),
      el("h2", { text: t("web.review") }),
      el("div", { class: "chips", id: "review" }, Object.entries(data.review).map(([k, n]) =>
        el("span", { class: "chip", id: "review-" + k }, t("web.review." + k), el("b", { text: n })))),
      el("div", { class: "overview-grid" },
        el("section", {},
          el("h2", { text: t("web.by_group") }),
          el("ul", { class: "rows card", id: "groups" }, data.groups.map((g) =>
            el("li", { onclick: () => { state.filters = { group: g.id }; state.page = 0; matrix(); } },
              el("div", { class: "row-head" }, el("span", { text: g.heading }), el("b", { text: percent(g.percent) })),
              tallyBar(g)))),
          el("h2", { text: t("web.overdue") }),
          el("div", { class: "card", id: "overdue" },
            el("p", { text: overdue.cells ? t("web.overdue_summary", { cells: overdue.cells, orgs: overdue.organizations }) : t("web.no_overdue") }),
            el("ul", { class: "rows" }, overdue.top.map((org) =>
              el("li", { onclick: () => organization(org.id) },
                el("div", { class: "row-head" }, el("span", { text: org.name }), el("b", { text: org.overdue })),
                el("small", { class: "muted", text: org.municipality })))))),
        el("section", {},
          el("h2", { text: t("web.municipalities") }),
          el("p", { class: "muted", text: t("web.light_legend", data.thresholds) }),
          el("ul", { class: "rows card", id: "municipalities" }, data.municipalities.map((m) =>
            el("li", { "data-light": m.light, onclick: () => { state.filters = { municipality: m.name }; state.page = 0; matrix(); } },
              el("div", { class: "row-head" },
                el("span", {}, el("span", { class: "light light-" + m.light }), m.name || "—"),
                el("b", { text: percent(m.accepted_percent) })),
              tallyBar(m)))))));
  }

  async function matrix() {
    setTab("matrix");
    const f = state.filters;
    if (!state.meta) state.meta = await api("filters", { resolution: state.resolution });
    const data = await api("matrix", {
      resolution: state.resolution, group: f.group, municipality: f.municipality, status: f.status,
      review: f.review, q: f.q, page: state.page,
    });
    const pages = Math.max(1, Math.ceil(data.total / data.page_size));
    const head = el("tr", {}, el("th", { class: "org", text: t("web.organization") }), data.columns.map((c) =>
      el("th", { title: c.text }, el("a", { href: "#", onclick: (e) => { e.preventDefault(); recommendation(c.id); } }, c.number))));
    const rows = data.rows.map((r) => el("tr", { class: "matrix-row", "data-org-id": r.org_id },
      el("td", { class: "org" },
        el("a", { href: "#", onclick: (e) => { e.preventDefault(); organization(r.org_id); } }, r.name),
        el("small", { text: r.municipality })),
      r.cells.map((s, i) => el("td", {}, el("span", {
        class: "cell cell-" + s + (r.reviews[i] ? " review-" + r.reviews[i] : ""),
        title: s === "-" ? null : t("web.status." + s) + (r.reviews[i] ? " · " + t("web.review." + r.reviews[i]) : ""),
        "data-status": s,
      })))));
    show(
      filtersForm(),
      el("div", { class: "muted", id: "found", text: t("web.found", { n: data.total }) }),
      legend(),
      data.rows.length
        ? el("div", { class: "table-wrap" }, el("table", { class: "matrix", id: "matrix" }, el("thead", {}, head), el("tbody", {}, rows)))
        : el("p", { class: "muted", id: "nothing", text: t("web.nothing_found") }),
      el("div", { class: "pager" },
        el("button", { type: "button", id: "prev", disabled: state.page === 0, onclick: () => { state.page--; run(matrix); } }, t("web.prev")),
        el("span", { class: "muted", text: t("web.page_of", { page: state.page + 1, pages }) }),
        el("button", { type: "button", id: "next", disabled: state.page + 1 >= pages, onclick: () => { state.page++; run(matrix); } }, t("web.next"))));
  }

  function filtersForm() {
    const m = state.meta;
    const f = state.filters;
    const change = (key) => (e) => { f[key] = e.target.value; state.page = 0; run(matrix); };
    const select = (id, key, label, options) => el("label", {}, label,
      el("select", { id, onchange: change(key) },
        el("option", { value: "", text: t("web.filter_all") }),
        options.map(([value, text]) => el("option", { value, selected: String(f[key] || "") === String(value), text }))));
    let timer = null;
    const search = el("input", { type: "search", id: "search", value: f.q || "", placeholder: t("web.search"),
      oninput: (e) => { clearTimeout(timer); timer = setTimeout(() => { f.q = e.target.value; state.page = 0; run(matrix).then(focusSearch); }, 300); } });
    return el("div", { class: "filters" },
      select("f-group", "group", t("web.filter_group"), m.groups.map((g) => [g.id, g.heading])),
      state.me.municipality ? null : select("f-municipality", "municipality", t("web.filter_municipality"), m.municipalities.map((x) => [x, x])),
      select("f-status", "status", t("web.filter_status"), m.statuses.map((s) => [s, t("web.status." + s)])),
      select("f-review", "review", t("web.filter_review"), m.reviews.map((s) => [s, t("web.review." + s)])),
      el("label", { class: "wide" }, t("web.search"), search));
  }
  function focusSearch() {
    const input = document.getElementById("search");
    if (input) { input.focus(); input.setSelectionRange(input.value.length, input.value.length); }
  }

  function backButton() {
    return el("button", { type: "button", class: "link-button", id: "back", onclick: () => run(state.view === "matrix" ? matrix : overview) }, t("web.back"));
  }

  async function organization(id) {
    const data = await api("organizations/" + id).catch((e) => { showError(e.message); return null; });
    if (!data) return;
    const org = data.organization;
    show(backButton(),
      el("h1", { id: "org-name", text: org.name }),
      el("div", { class: "muted", text: org.municipality }),
      data.items.map((item) => el("section", { class: "card item", "data-rec-id": item.id },
        el("div", { class: "row-head" }, el("b", { text: t("web.recommendation", { number: item.number }) }),
          el("span", {}, badge(item.status, item.review))),
        el("p", { text: item.text }),
        item.deadline ? el("div", { class: "muted", text: t("web.deadline", { date: formatDate(item.deadline) }) }) : null,
        item.status === "no_answer" ? el("p", { class: "muted", text: t("web.no_report") }) : null,
        item.decided ? el("p", { class: "decided", text: t("review.decided." + item.decided.event, { who: decider(item.decided) }) }) : null,
        field("web.comment", item.comment), field("web.reason", item.reason), field("web.review_comment", item.review_comment),
        item.evidence.length ? [el("div", { class: "label", text: t("web.evidence") }), item.evidence.map(evidenceItem)] : null,
        item.history.length ? [el("div", { class: "label", text: t("web.history") }), el("ul", { class: "rows" }, item.history.map((h) =>
          el("li", {}, el("div", {}, formatDate(h.created_at) + " · " + t("web.event." + h.event) + (h.event === "submitted" ? (h.author ? " · " + h.author : "") : " · " + decider(h))),
            h.note ? el("small", { class: "muted", text: h.note }) : null)))] : null)));
  }
  // Who took a review decision and for which body, as the chat's card says it (a null body: the department).
  function decider(row) {
    return t("review.decider", { name: row.author || "—", body: row.body || t("review.department") });
  }
  function field(key, value) {
    return value ? [el("div", { class: "label", text: t(key) }), el("p", { text: value })] : null;
  }
  function evidenceItem(item) {
    if (item.kind === "link") return el("p", {}, el("a", { href: item.url, target: "_blank", rel: "noopener noreferrer" }, item.url));
    if (item.kind === "text") return el("p", { text: item.text });
    return el("button", { type: "button", class: "link-button", onclick: () => download(item) },
      t("web.download") + ": " + (item.file_name || item.kind));
  }
  async function download(item) {
    // A plain link cannot carry the header: the file is fetched, then handed to the browser.
    const response = await fetch("api/evidence/" + item.id, { headers: { [HEADER]: initData } });
    if (!response.ok) { const body = await response.json().catch(() => ({})); return alert(body.error || t("web.network_error")); }
    const url = URL.createObjectURL(await response.blob());
    const a = el("a", { href: url, download: item.file_name || "file" });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  async function recommendation(id) {
    const data = await api("recommendations/" + id).catch((e) => { showError(e.message); return null; });
    if (!data) return;
    const rec = data.recommendation;
    show(backButton(),
      el("h1", { text: t("web.recommendation", { number: rec.number }) }),
      el("div", { class: "muted", text: rec.group }),
      el("p", { id: "rec-text", text: rec.text }),
      rec.deadline ? el("div", { class: "muted", text: t("web.deadline", { date: formatDate(rec.deadline) }) }) : null,
      el("h2", { text: t("web.answers") }),
      el("ul", { class: "rows card", id: "answers" }, data.answers.map((a) =>
        el("li", { "data-org-id": a.org_id, onclick: () => organization(a.org_id) },
          el("div", { class: "row-head" }, el("span", { text: a.name }), el("span", {}, badge(a.status, a.review))),
          el("small", { class: "muted", text: a.municipality }),
          a.comment ? el("p", { text: a.comment }) : null))));
  }

  function fillResolutions(list) {
    const select = document.getElementById("resolution");
    if (select.options.length || list.length < 2) return;
    select.append(el("option", { value: "", text: t("web.resolution_all") }),
      list.map((r) => el("option", { value: r.id, selected: String(r.id) === state.resolution, text: r.title })));
    select.hidden = false;
    select.onchange = () => { state.resolution = select.value; state.meta = null; state.filters = {}; run(state.view === "matrix" ? matrix : overview); };
  }

  async function start() {
    const lang = userLanguage();
    try {
      const texts = await (await fetch("api/texts" + (lang ? "?lang=" + encodeURIComponent(lang) : ""))).json();
      state.texts = texts.texts; state.locale = texts.locale;
      document.documentElement.lang = texts.locale;
    } catch (e) { /* the keys themselves are shown rather than nothing */ }
    document.title = t("web.title");
    document.getElementById("tab-overview").textContent = t("web.tab_overview");
    document.getElementById("tab-matrix").textContent = t("web.tab_matrix");
    state.resolution = new URLSearchParams(location.search).get("resolution") || "";
    if (!initData) return showError(t("web.auth_missing"));
    state.me = await api("me");
    document.getElementById("scope").textContent = state.me.municipality
      ? t("web.scope_municipality", { name: state.me.municipality }) : t("web.scope_region");
    const tabs = document.getElementById("tabs");
    tabs.hidden = false;
    for (const b of tabs.querySelectorAll("button")) {
      b.onclick = () => { if (b.dataset.view === "matrix") { state.filters = {}; state.page = 0; } run(b.dataset.view === "matrix" ? matrix : overview); };
    }
    await overview();
  }
  run(start);
})();
