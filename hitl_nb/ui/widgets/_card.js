// hitl_nb's front end: one module for every view (card, queue, session header, inbox).
// Plain ES module, no build step. It draws what Python sends (markup escaped in Python,
// form fields, labels) and sends back clicks: {click: label, state: {...}}. No logic:
// Python reads, validates and records. See hitl_nb/widgets/_front.py.

const KEYS = [
  ["a", "Approve"], ["r", "Reject (opens the comment box)"], ["e", "Edit"],
  ["Enter", "Send the open box (Ctrl+Enter in a text area)"], ["Esc", "Close the box"],
  ["j / k", "Next / previous pending card"], ["?", "Show or hide these keys"],
];
const SEND = { reject: "Send rejection", edit: "Submit edit", respond: "Send response" };
const SHORTCUT = { a: "approve", r: "reject", e: "edit" };

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "html") el.innerHTML = v;      // markup escaped in Python
    else if (v === true) el.setAttribute(k, "");
    else if (v !== false && v != null) el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) if (c != null && c !== false) el.append(c);
  return el;
}

function addCss(el, css, version) {
  const root = el.getRootNode();
  const host = root instanceof ShadowRoot ? root : document.head;
  if (host.querySelector(`style[data-hitl-css="${version}"]`)) return;
  host.append(h("style", { "data-hitl-css": version }, css));
}

function typing(target) {
  return !!target.closest?.("input, textarea, select, [contenteditable='true']");
}

let unpack = async (text) => text;

export function render({ model, el, css, version, unpack: inflate }) {
  addCss(el, css, version);
  if (inflate) unpack = inflate;
  const kind = model.get("kind");
  if (kind === "session") return renderSession(model, el);
  if (kind === "inbox") return renderInbox(model, el);
  return renderCard(model, el);
}

// Set an element's markup from a (possibly packed) trait; the latest call wins.
function setMarkup(el, text) {
  const ticket = (el.__hitlTicket = (el.__hitlTicket || 0) + 1);
  return unpack(text).then((html) => { if (el.__hitlTicket === ticket) el.innerHTML = html; });
}

// -- a card (and the queue, a card that shows one request after another) ---------------
async function renderCard(model, el) {
  const root = h("div", {
    class: "hitl-card hitl-live", tabindex: "0", role: "group",
    "data-lm-suppress-shortcuts": "true", "data-p-suppress-shortcuts": "true",
  });
  let help = false;
  let timer = null;
  let opening = null;   // a box opened by a key, until it is drawn: {kind, typed, until}

  const state = () => ({
    comment: model.get("comment"), draft: model.get("draft"), persist: model.get("persist"),
  });
  const click = (label) => model.send({ click: label, state: state() });
  const save = (name, value) => { model.set(name, value); model.save_changes(); };
  const labelOf = (k) => (model.get("actions").find(([kind]) => kind === k) || [])[1];

  const queue = h("div", { class: "hitl-queue-bar" });
  const note = h("div", { class: "hitl-queue-note" });
  const summary = h("div", { class: "hitl-summary" });
  const body = h("div", { class: "hitl-body-wrap" });
  const buttons = h("div", { class: "hitl-actions", role: "toolbar" });
  const box = h("div", { class: "hitl-box" });
  const status = h("div", { class: "hitl-status-line", role: "status", "aria-live": "polite" });
  const keys = h("div", { class: "hitl-keys", role: "note", hidden: true },
    h("b", {}, "Keys (when the card has focus, not while typing)"),
    h("dl", {}, KEYS.map(([k, what]) => [h("dt", {}, h("kbd", {}, k)), h("dd", {}, what)])));
  const keysButton = h("button", {
    class: "hitl-keys-button", type: "button", "aria-label": "Keyboard shortcuts",
    title: "Keyboard shortcuts (?)", onclick: () => toggleHelp(),
  }, "?");
  const full = h("div", { class: "hitl-full" }, body, buttons, box, status);
  root.append(queue, note, summary, full, keys, keysButton);

  function toggleHelp(show = !help) {
    help = show;
    keys.hidden = !help;
  }

  function drawQueue() {
    const q = model.get("queue") || {};
    queue.replaceChildren();
    queue.hidden = !q.total && !q.message;
    if (queue.hidden) return;
    if (q.message) queue.append(h("span", { class: "hitl-queue-done" }, q.message));
    if (q.total) {
      queue.append(h("span", { class: "hitl-progress" }, `${q.position} of ${q.total}`));
      queue.append(h("button", {
        type: "button", class: "hitl-skip", disabled: !q.can_skip,
        onclick: () => click("Skip"),
      }, "Skip"));
    }
    clearInterval(timer);
    if (q.undo) {
      let left = Math.ceil(q.undo.seconds);
      const text = h("span", { class: "hitl-undo-text" });
      const tick = () => { text.textContent = `${q.undo.verb} in ${Math.max(left, 0)} s — `; };
      tick();
      timer = setInterval(() => { left -= 1; tick(); if (left <= 0) clearInterval(timer); }, 1000);
      queue.append(h("span", { class: "hitl-undo", role: "status" }, text,
        h("button", { type: "button", class: "hitl-undo-button", onclick: () => click("Undo") },
          "Undo")));
    }
  }

  function drawButtons() {
    const busy = model.get("busy");
    buttons.replaceChildren(...model.get("actions").map(([kind, label]) => {
      const pressed = model.get("mode") === kind;
      return h("button", {
        type: "button", class: `hitl-button hitl-${kind}`, disabled: busy,
        "aria-pressed": ["edit", "respond", "reject"].includes(kind) ? String(pressed) : null,
        "aria-keyshortcuts": { approve: "a", reject: "r", edit: "e" }[kind] || null,
        title: { approve: "a", reject: "r", edit: "e" }[kind]
          ? `${label} (${{ approve: "a", reject: "r", edit: "e" }[kind]})` : label,
        onclick: () => click(label),
      }, label);
    }));
    const persist = model.get("actions").some(([k]) => k.startsWith("always-"));
    if (persist) {
      const box = h("input", {
        type: "checkbox", checked: model.get("persist"), disabled: busy,
        onchange: (e) => save("persist", e.target.checked),
      });
      buttons.append(h("label", { class: "hitl-persist" }, box, " remember across sessions"));
    }
  }

  function input(field, onChange) {
    const attrs = { "aria-label": field.label, id: null };
    const k = field.kind;
    if (k === "boolean") {
      return h("input", { ...attrs, type: "checkbox", checked: !!field.raw,
        onchange: (e) => onChange(e.target.checked) });
    }
    if (k === "enum") {
      const select = h("select", { ...attrs, onchange: (e) => onChange(Number(e.target.value)) },
        field.blank ? h("option", { value: "-1" }, "—") : null,
        field.options.map((o, i) => h("option", { value: String(i) }, o)));
      select.value = String(field.raw);
      if (select.selectedIndex < 0) select.selectedIndex = 0;
      return select;
    }
    if (k === "list" && field.options) {
      const select = h("select", { ...attrs, multiple: true,
        onchange: (e) => onChange([...e.target.selectedOptions].map((o) => Number(o.value))) },
        field.options.map((o, i) => h("option", {
          value: String(i), selected: (field.raw || []).includes(i) }, o)));
      return select;
    }
    if (["textarea", "list", "json"].includes(k)) {
      const area = h("textarea", { ...attrs, rows: k === "textarea" ? 5 : 4,
        placeholder: k === "list" ? "one item per line" : k === "json" ? "JSON" : null,
        oninput: (e) => onChange(e.target.value) });
      area.value = field.raw ?? "";
      return area;
    }
    const type = { integer: "number", number: "number", date: "date" }[k] || "text";
    const one = h("input", { ...attrs, type, min: field.min, max: field.max,
      step: k === "number" ? "any" : null, oninput: (e) => onChange(e.target.value) });
    one.value = field.raw ?? "";
    return one;
  }

  function drawFields(fields, values, errors, onChange) {
    return h("div", { class: "hitl-form" }, fields.map((f) => {
      const error = h("div", { class: "hitl-field-error", "data-field": f.name },
        errors[f.name] || "");
      error.hidden = !errors[f.name];
      let control;
      if (f.fields) {
        values[f.name] = values[f.name] || {};
        control = drawFields(f.fields, values[f.name], {}, onChange);
        control.classList.add("hitl-nested");
      } else {
        control = input({ ...f, raw: values[f.name] }, (v) => { values[f.name] = v; onChange(); });
      }
      return h("div", { class: `hitl-field hitl-field-${f.kind}` },
        h("label", { class: "hitl-label" }, h("b", {}, f.label), f.required ? " *" : "",
          f.help ? h("div", { class: "hitl-help" }, f.help) : null, control),
        error);
    }));
  }

  let debounce = null;
  function drawBox() {
    const mode = model.get("mode");
    const form = model.get("form") || {};
    box.replaceChildren();
    box.hidden = !mode;
    if (!mode) return;
    const busy = model.get("busy");
    const parts = [];
    const sendDraft = (draft) => {   // kept at once (a click sends it), synced shortly
      model.set("draft", JSON.parse(JSON.stringify(draft)));
      clearTimeout(debounce);
      debounce = setTimeout(() => model.save_changes(), 120);
    };
    if (mode !== "reject" && (form.views || []).length > 1) {
      parts.push(h("div", { class: "hitl-views", role: "group", "aria-label": "Edit as" },
        form.views.map((v) => h("button", {
          type: "button", class: "hitl-view", "data-value": v,
          "aria-pressed": String(form.view === v.toLowerCase()),
          onclick: () => click(v),
        }, v))));
    }
    if (mode !== "reject") {
      if (form.view === "form") {
        const values = JSON.parse(JSON.stringify((model.get("draft") || {}).values || {}));
        const fill = (fields, into) => {
          for (const f of fields) {
            if (f.fields) { into[f.name] = into[f.name] || {}; fill(f.fields, into[f.name]); }
            else if (!(f.name in into)) into[f.name] = f.raw;
          }
        };
        fill(form.fields || [], values);
        parts.push(drawFields(form.fields || [], values, model.get("errors") || {},
          () => sendDraft({ values })));
      } else if (form.view === "json" || form.view === "text") {
        const area = h("textarea", {
          class: `hitl-${form.view}-editor`, rows: form.view === "json" ? 10 : 4,
          "aria-label": form.view === "json" ? "JSON" : "Your response",
          placeholder: form.view === "json" ? "JSON" : "Your response (text or JSON)",
          oninput: (e) => sendDraft({ [form.view]: e.target.value }),
        });
        area.value = (model.get("draft") || {})[form.view] ?? form.json ?? "";
        parts.push(area);
        parts.push(h("div", { class: "hitl-field-error", "data-field": "json" }));
      } else if (form.note) {
        parts.push(h("div", { class: "hitl-note" }, form.note));
      }
    }
    if (mode === "reject" || mode === "edit") {
      const comment = h("input", {
        type: "text", class: "hitl-comment", "aria-label": "Comment",
        placeholder: "Comment (optional) — Enter sends",
        oninput: (e) => save("comment", e.target.value),
      });
      comment.value = model.get("comment");
      parts.push(comment);
    }
    if (mode === "edit") parts.push(h("div", { class: "hitl-live-diff", html: model.get("diff") }));
    parts.push(h("div", { class: "hitl-box-buttons" },
      h("button", { type: "button", class: `hitl-button hitl-send hitl-send-${mode}`,
        disabled: busy, onclick: () => click(SEND[mode]) }, SEND[mode]),
      h("button", { type: "button", class: "hitl-button hitl-cancel",
        onclick: () => click("Cancel") }, "Cancel")));
    box.append(...parts);
    drawErrors();
    const field = box.querySelector("input, textarea, select");
    if (root.contains(root.getRootNode().activeElement)) field?.focus();
    if (opening && opening.kind === mode) {      // keys typed while the box was opening
      if (opening.typed && field && "value" in field && field.tagName !== "SELECT") {
        field.value += opening.typed;
        field.dispatchEvent(new Event("input"));
      }
      const enter = opening.enter;
      opening = null;
      if (enter) click(SEND[mode]);
    }
  }

  function drawErrors() {
    const errors = model.get("errors") || {};
    for (const div of box.querySelectorAll(".hitl-field-error[data-field]")) {
      div.textContent = errors[div.dataset.field] || "";
      div.hidden = !errors[div.dataset.field];
    }
  }

  function drawBusy() {
    drawButtons();
    for (const b of box.querySelectorAll(".hitl-send")) b.disabled = model.get("busy");
  }

  function drawDecided() {
    const decided = model.get("decided");
    const expanded = model.get("expanded");
    root.toggleAttribute("data-pending", !decided);
    summary.replaceChildren();
    summary.hidden = !decided;
    full.hidden = !!decided && !expanded;
    if (decided) {
      summary.append(h("span", { html: decided }), h("button", {
        type: "button", class: "hitl-details", "aria-expanded": String(!!expanded),
        onclick: () => click("details"),
      }, expanded ? "hide details" : "details"));
    }
  }

  const draw = {
    markup: () => setMarkup(body, model.get("markup")),
    title: () => root.setAttribute("aria-label", `Review: ${model.get("title")}`),
    actions: drawButtons, busy: drawBusy, mode: () => { drawButtons(); drawBox(); },
    form: drawBox, errors: drawErrors,
    diff: () => { const d = box.querySelector(".hitl-live-diff"); if (d) d.innerHTML = model.get("diff"); },
    status: () => { status.innerHTML = model.get("status"); },
    decided: () => { const was = root.hasAttribute("data-pending"); drawDecided(); if (was && model.get("decided")) next(1, true); },
    expanded: drawDecided, note: () => { note.innerHTML = model.get("note"); },
    queue: drawQueue,
  };
  const listeners = Object.entries(draw).map(([name, fn]) => {
    const cb = () => fn();
    model.on(`change:${name}`, cb);
    return [name, cb];
  });
  for (const fn of new Set(Object.values(draw))) fn();
  await setMarkup(body, model.get("markup"));   // shown whole: the static view until then
  el.replaceChildren(root);
  root.toggleAttribute("data-pending", !model.get("decided"));
  root.dataset.key = model.get("key");
  const wish = (globalThis.__hitlNb ??= {}).focus;
  if (wish && wish.key === model.get("key") && Date.now() < wish.until) {
    setTimeout(() => { if (root.isConnected) { root.focus(); globalThis.__hitlNb.focus = null; } }, 0);
  }

  function next(step, fromDecision = false) {
    const scope = root.closest(".hitl-session, .hitl-inbox-detail") || root.getRootNode();
    const cards = [...scope.querySelectorAll(".hitl-card.hitl-live")]
      .filter((c) => c === root || c.hasAttribute("data-pending"));
    const at = cards.indexOf(root);
    const target = cards[at + step] || (fromDecision ? cards[at - 1] : null);
    if (!target || (fromDecision && !root.contains(root.getRootNode().activeElement))) return;
    target.focus();
    // The notebook may redraw the session's output right after a decision (its static
    // HTML is refreshed): the new view of that card takes the focus then.
    (globalThis.__hitlNb ??= {}).focus = { key: target.dataset.key, until: Date.now() + 5000 };
  }

  root.addEventListener("keydown", (ev) => {
    const t = ev.target;
    const mode = model.get("mode");
    if (ev.key === "Escape") {
      if (mode) { click("Cancel"); root.focus(); } else if (help) toggleHelp(false);
      ev.preventDefault(); ev.stopPropagation();
      return;
    }
    if (opening && Date.now() > opening.until) opening = null;
    if (ev.key === "Enter" && opening && t === root) {   // sent once the box is there
      opening.enter = true;
      ev.preventDefault(); ev.stopPropagation();
      return;
    }
    if (ev.key === "Enter") {
      if (t.tagName === "BUTTON" || t.tagName === "SELECT" || t.type === "checkbox") return;
      if (t.tagName === "TEXTAREA" && !(ev.ctrlKey || ev.metaKey)) { ev.stopPropagation(); return; }
      if (mode && !model.get("busy")) {
        ev.preventDefault(); ev.stopPropagation();
        clearTimeout(debounce);
        click(SEND[mode]);
      }
      return;
    }
    if (typing(t)) { ev.stopPropagation(); return; }   // typing: no shortcuts, not Lab's either
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (opening && ev.key.length === 1) {   // typed before the box is there: kept for it
      opening.typed += ev.key;
      ev.preventDefault(); ev.stopPropagation();
      return;
    }
    let handled = true;
    const kind = SHORTCUT[ev.key];
    if (kind && labelOf(kind) && !model.get("busy")) {
      if (kind === "reject" && mode === "reject") {   // r never rejects: Enter sends the box
        box.querySelector("input, textarea")?.focus();
      } else {
        if (kind !== "approve" && mode !== kind) opening = { kind, typed: "", until: Date.now() + 3000 };
        click(labelOf(kind));
      }
    } else if (ev.key === "j") next(1);
    else if (ev.key === "k") next(-1);
    else if (ev.key === "?") toggleHelp();
    else handled = SHORTCUT[ev.key] !== undefined;
    if (handled) { ev.preventDefault(); ev.stopPropagation(); }
  });

  return () => {
    clearInterval(timer);
    clearTimeout(debounce);
    for (const [name, cb] of listeners) model.off(`change:${name}`, cb);
  };
}

// -- the session's header: thread, progress while the graph runs, error, result ---------
function renderSession(model, el) {
  const root = h("div", { class: "hitl-session-status" });
  el.replaceChildren(root);
  const draw = async () => {
    const head = h("div");
    await setMarkup(head, model.get("markup"));
    root.replaceChildren(head);
    if (model.get("can_resume")) {
      root.append(h("button", { type: "button", class: "hitl-button hitl-resume-now",
        title: "Resume with the decisions made so far",
        onclick: () => model.send({ click: "Resume now", state: {} }) }, "Resume now"));
    }
  };
  draw();
  model.on("change:markup", draw);
  model.on("change:can_resume", draw);
  return () => { model.off("change:markup", draw); model.off("change:can_resume", draw); };
}

// -- the team inbox: filters, one page of rows, bulk decisions ---------------------------
function renderInbox(model, el) {
  const root = h("div", { class: "hitl-inbox-view" });
  el.replaceChildren(root);
  const click = (label, extra = {}) => model.send({
    click: label, state: { comment: model.get("comment"), selected: model.get("selected"),
      filters: model.get("filters"), ...extra },
  });
  const save = (name, value) => { model.set(name, value); model.save_changes(); };
  const draw = () => {
    const filters = model.get("filters");
    const options = model.get("options");
    const selected = new Set(model.get("selected"));
    const rows = model.get("rows");
    const controls = h("div", { class: "hitl-inbox-filters" }, Object.entries(options).map(
      ([name, opts]) => {
        const s = h("select", { "aria-label": name, "data-filter": name,
          onchange: (e) => { save("filters", { ...model.get("filters"), [name]: Number(e.target.value) }); click("Filter"); } },
          opts.map((label, i) => h("option", { value: String(i) }, label)));
        s.value = String(filters[name] || 0);
        return s;
      }));
    const table = h("ul", { class: "hitl-inbox-rows" }, rows.map(([key, markup]) => h("li", {
      class: "hitl-inbox-row-item" },
      h("input", { type: "checkbox", "aria-label": `Select ${key}`, checked: selected.has(key),
        onchange: (e) => {
          const now = new Set(model.get("selected"));
          e.target.checked ? now.add(key) : now.delete(key);
          save("selected", [...now]);
        } }),
      h("span", { html: markup }),
      h("button", { type: "button", class: "hitl-button hitl-inbox-open",
        onclick: () => click("Open", { row: key }) }, "Open"))));
    const page = model.get("page");
    const pager = h("div", { class: "hitl-inbox-pager" },
      h("button", { type: "button", class: "hitl-button hitl-inbox-prev", disabled: page.first,
        onclick: () => click("◀ Prev") }, "◀ Prev"),
      h("span", {}, ` page ${page.number} of ${page.pages} `),
      h("button", { type: "button", class: "hitl-button hitl-inbox-next", disabled: page.last,
        onclick: () => click("Next ▶") }, "Next ▶"),
      h("button", { type: "button", class: "hitl-button", onclick: () => click("Refresh") },
        "Refresh"),
      page.stuck ? h("button", { type: "button", class: "hitl-button hitl-inbox-recover",
        onclick: () => click("Resume recorded decisions") }, "Resume recorded decisions") : null);
    const comment = h("input", { type: "text", "aria-label": "Comment for the selected",
      placeholder: "Comment for the selected (optional)",
      oninput: (e) => save("comment", e.target.value) });
    comment.value = model.get("comment");
    const bulk = h("div", { class: "hitl-inbox-bulk" },
      h("button", { type: "button", class: "hitl-button", onclick: () => click("Select page") },
        "Select page"), comment,
      h("button", { type: "button", class: "hitl-button hitl-approve hitl-inbox-approve",
        onclick: () => click("Approve selected") }, "Approve selected"),
      h("button", { type: "button", class: "hitl-button hitl-reject hitl-inbox-reject",
        onclick: () => click("Reject selected") }, "Reject selected"));
    const extra = h("div", { class: "hitl-inbox-extra" }, model.get("extra").map((label) =>
      h("button", { type: "button", class: `hitl-button hitl-inbox-${label.toLowerCase().replace(" ", "-")}`,
        onclick: () => click(label) }, label)));
    const head = h("div");
    setMarkup(head, model.get("markup"));
    root.replaceChildren(head, controls, table, pager, bulk,
      h("div", { class: "hitl-inbox-status", html: model.get("status") }), extra);
  };
  draw();
  const names = ["markup", "rows", "page", "options", "status", "selected", "extra"];
  for (const n of names) model.on(`change:${n}`, draw);
  return () => { for (const n of names) model.off(`change:${n}`, draw); };
}
