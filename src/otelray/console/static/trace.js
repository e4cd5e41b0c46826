// Trace page: BatchGetTraces -> waterfall of segments and nested subsegments (virtual scrolling:
// only the rows in view exist in the DOM), detail panel, and the trace's map (GetTraceGraph).
import { api, clear, el, fmtSeconds, fmtTime, getJSON, setStatus } from "./common.js";
import { drawGraph, showPanel } from "./graph.js";

const ROW = 24;
const OVERSCAN = 12;
const traceId = document.getElementById("main").dataset.traceId;
const viewport = document.getElementById("wf-viewport");
const spacer = document.getElementById("wf-spacer");
const panel = document.getElementById("panel");

const state = { rows: [], visible: [], collapsed: new Set(), start: 0, span: 1, selected: null, rendered: "" };

async function fetchTrace() {
  const segments = [];
  let token;
  let trace = null;
  do {
    const page = await api("BatchGetTraces", token ? { TraceIds: [traceId], NextToken: token } : { TraceIds: [traceId] });
    for (const t of page.Traces || []) {
      trace = trace || t;
      segments.push(...(t.Segments || []));
    }
    token = page.NextToken;
  } while (token);
  return trace ? { ...trace, Segments: segments } : null;
}

// Build the row tree: documents, their embedded subsegments, independent subsegments and downstream
// segments attached under the (sub)segment whose id is their parent_id.
function buildTree(docs) {
  const byId = new Map();
  const nodes = [];
  const visit = (entity, kind, doc) => {
    const node = { entity, kind, doc, children: [], id: entity.id };
    nodes.push(node);
    if (entity.id && !byId.has(entity.id)) byId.set(entity.id, node);
    for (const sub of entity.subsegments || []) node.children.push(visit(sub, "subsegment", doc));
    return node;
  };
  const tops = docs.map((doc) => visit(doc, doc.type === "subsegment" ? "subsegment" : "segment", doc));
  const roots = [];
  for (const top of tops) {
    const parent = top.entity.parent_id && byId.get(top.entity.parent_id);
    if (parent && parent !== top) parent.children.push(top);
    else roots.push(top);
  }
  return { roots, count: nodes.length };
}

function flatten(roots) {
  const rows = [];
  const sortKids = (list) => list.sort((a, b) => (a.entity.start_time || 0) - (b.entity.start_time || 0));
  const stack = sortKids([...roots]).reverse().map((n) => [n, 0]);
  let key = 0;
  while (stack.length) {
    const [node, depth] = stack.pop();
    node.depth = depth;
    node.key = key++;
    rows.push(node);
    const kids = sortKids(node.children);
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], depth + 1]);
  }
  return rows;
}

function computeVisible() {
  const out = [];
  let skipBelow = -1;
  for (const row of state.rows) {
    if (skipBelow >= 0 && row.depth > skipBelow) continue;
    skipBelow = -1;
    out.push(row);
    if (state.collapsed.has(row.key) && row.children.length) skipBelow = row.depth;
  }
  state.visible = out;
  spacer.style.height = `${out.length * ROW}px`;
  state.rendered = "";
  renderWindow();
}

function status(entity) {
  if (entity.fault) return "fault";
  if (entity.throttle) return "throttle";
  if (entity.error) return "error";
  return "ok";
}

function rowNode(row, index) {
  const e = row.entity;
  const start = e.start_time || state.start;
  const inProgress = Boolean(e.in_progress) || e.end_time === undefined;
  const end = inProgress ? state.start + state.span : e.end_time;
  const left = ((start - state.start) / state.span) * 100;
  const width = Math.max(0.2, ((end - start) / state.span) * 100);
  const bar = el("div", { className: `wf-bar ${row.kind} ${status(e)}${inProgress ? " in-progress" : ""}`,
    title: `${e.name || ""}: ${inProgress ? "in progress" : fmtSeconds(end - start)}` });
  bar.style.left = `${Math.max(0, Math.min(100, left))}%`;
  bar.style.width = `${Math.min(100 - Math.max(0, left), width)}%`;
  const twisty = el("span", { className: "toggle" }, row.children.length ? (state.collapsed.has(row.key) ? "▸" : "▾") : "");
  const name = el("div", { className: "wf-name", title: e.name || "" }, twisty, el("span", { className: "label" }, e.name || "(unnamed)"),
    row.kind === "segment" ? el("span", { className: "kind" }, e.inferred ? "inferred" : (e.origin || "segment")) : null,
    inProgress ? el("span", { className: "wf-mark" }, "in progress") : null);
  name.style.paddingLeft = `${8 + row.depth * 14}px`;
  const node = el("div", { className: `wf-row${state.selected === row ? " selected" : ""}`, dataset: { key: String(row.key) } },
    name, el("div", { className: "wf-time" }, inProgress ? "…" : fmtSeconds(end - start)),
    el("div", { className: "wf-track" }, bar));
  node.style.top = `${index * ROW}px`;
  twisty.addEventListener("click", (event) => {
    event.stopPropagation();
    toggle(row, state.collapsed.has(row.key));
  });
  node.addEventListener("click", () => select(row));
  return node;
}

function select(row) {
  state.selected = row;
  state.rendered = "";
  renderWindow();
  showDetail(row);
}

function toggle(row, open) {
  if (!row.children.length || open === !state.collapsed.has(row.key)) return;
  if (open) state.collapsed.delete(row.key);
  else state.collapsed.add(row.key);
  computeVisible();
}

// Keyboard: ↑/↓ move the selection (scrolling it into view), ←/→ collapse/expand, Home/End jump.
function onKey(event) {
  const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: 20, PageUp: -20 };
  const at = Math.max(0, state.visible.indexOf(state.selected));
  let next = null;
  if (event.key in moves) next = Math.min(state.visible.length - 1, Math.max(0, at + moves[event.key]));
  else if (event.key === "Home") next = 0;
  else if (event.key === "End") next = state.visible.length - 1;
  else if ((event.key === "ArrowLeft" || event.key === "ArrowRight") && state.selected) {
    toggle(state.selected, event.key === "ArrowRight");
  } else return;
  event.preventDefault();
  if (next === null || !state.visible.length) return;
  const top = next * ROW;
  if (top < viewport.scrollTop) viewport.scrollTop = top;
  else if (top + ROW > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = top + ROW - viewport.clientHeight;
  select(state.visible[next]);
}

function renderWindow() {
  const first = Math.max(0, Math.floor(viewport.scrollTop / ROW) - OVERSCAN);
  const last = Math.min(state.visible.length, Math.ceil((viewport.scrollTop + viewport.clientHeight) / ROW) + OVERSCAN);
  const signature = `${first}:${last}:${state.visible.length}`;
  if (signature === state.rendered) return;
  state.rendered = signature;
  const rows = [];
  for (let i = first; i < last; i++) rows.push(rowNode(state.visible[i], i));
  spacer.replaceChildren(...rows);
}

function section(title, body) {
  return [el("h3", {}, title), body];
}

function kv(object) {
  const dl = el("dl", {});
  for (const [key, value] of Object.entries(object || {})) {
    dl.append(el("dt", {}, key), el("dd", {}, typeof value === "object" ? JSON.stringify(value) : String(value)));
  }
  return dl;
}

function exceptionsOf(entity) {
  const cause = entity.cause;
  if (!cause) return null;
  if (typeof cause === "string") return el("p", {}, `Exception ${cause} (recorded on another subsegment)`);
  const out = [];
  if (cause.working_directory) out.push(el("p", { className: "status" }, `working directory: ${cause.working_directory}`));
  for (const ex of cause.exceptions || []) {
    const stack = (ex.stack || []).map((f) => `  at ${f.label || "?"} (${f.path || "?"}:${f.line ?? "?"})`).join("\n");
    out.push(el("div", { className: "exception" },
      el("strong", {}, ex.type || "Exception"), ": ", el("span", { className: "exception-message" }, ex.message || ""),
      ex.remote ? el("span", { className: "wf-mark" }, "remote") : null,
      stack ? el("pre", { className: "stack" }, stack) : null));
  }
  return out;
}

function rawOf(entity) {
  const copy = { ...entity };
  if (copy.subsegments) copy.subsegments = `[${copy.subsegments.length} subsegments]`;
  return el("pre", { className: "raw" }, JSON.stringify(copy, null, 2));
}

function showDetail(row) {
  const e = row.entity;
  clear(panel);
  panel.hidden = false;
  const overview = { kind: row.kind, id: e.id, name: e.name, start: e.start_time ? fmtTime(e.start_time) : "",
    duration: e.end_time ? fmtSeconds(e.end_time - e.start_time) : "in progress", status: status(e) };
  if (e.origin) overview.origin = e.origin;
  if (e.namespace) overview.namespace = e.namespace;
  if (e.user) overview.user = e.user;
  panel.append(el("h2", { className: "panel-title" }, e.name || "(unnamed)"), kv(overview));
  const tabs = [];
  if (e.http) tabs.push(["HTTP", () => kv({ ...(e.http.request || {}), ...(e.http.response || {}) })]);
  if (e.aws) tabs.push(["AWS", () => kv(e.aws)]);
  if (e.sql) tabs.push(["SQL", () => kv(e.sql)]);
  if (e.annotations) tabs.push(["Annotations", () => kv(e.annotations)]);
  if (e.metadata) tabs.push(["Metadata", () => el("pre", {}, JSON.stringify(e.metadata, null, 2))]);
  if (e.cause) tabs.push(["Exceptions", () => exceptionsOf(e)]);
  tabs.push(["Raw data", () => rawOf(e)]);
  const body = el("div", { className: "tab-body" });
  const bar = el("div", { className: "tabs", role: "tablist" });
  const open = (index) => {
    for (const [i, button] of [...bar.children].entries()) button.setAttribute("aria-selected", String(i === index));
    body.replaceChildren(...[].concat(tabs[index][1]()).filter(Boolean));
  };
  tabs.forEach(([label], i) => bar.append(el("button", { type: "button", role: "tab", on: { click: () => open(i) } }, label)));
  panel.append(bar, body);
  open(0);
}

async function loadTraceMap() {
  const host = document.getElementById("trace-map");
  try {
    const graph = await getJSON(`/api/trace-map/${encodeURIComponent(traceId)}`);
    const mapPanel = el("aside", { className: "panel", hidden: true });
    drawGraph(host, graph, (kind, item, nodes) => {
      showPanel(mapPanel, kind, item, graph, nodes, null);
      panel.replaceChildren(...mapPanel.childNodes);
      panel.hidden = false;
    }, 240);
  } catch (err) {
    host.replaceChildren(el("p", { className: "status error" }, `Trace map: ${err.message}`));
  }
}

async function load() {
  const began = performance.now();
  let trace;
  try {
    trace = await fetchTrace();
  } catch (err) {
    setStatus(`${err.code}: ${err.message}`, true);
    return;
  }
  if (!trace) {
    setStatus(`Trace ${traceId} was not found (it may be older than the retention period).`, true);
    return;
  }
  const docs = trace.Segments.map((s) => JSON.parse(s.Document));
  const { roots, count } = buildTree(docs);
  state.rows = flatten(roots);
  const starts = state.rows.map((r) => r.entity.start_time).filter((v) => typeof v === "number");
  const ends = state.rows.map((r) => r.entity.end_time).filter((v) => typeof v === "number");
  state.start = Math.min(...starts);
  state.span = Math.max(1e-6, Math.max(...ends, ...starts) - state.start);
  document.getElementById("wf-head").replaceChildren(
    el("div", { className: "wf-name" }, "Name"), el("div", { className: "wf-time" }, "Duration"),
    el("div", { className: "wf-track" }, `0 … ${fmtSeconds(state.span)}`));
  viewport.addEventListener("scroll", () => requestAnimationFrame(renderWindow), { passive: true });
  viewport.addEventListener("keydown", onKey);
  window.addEventListener("resize", () => { state.rendered = ""; renderWindow(); });
  computeVisible();
  const ms = Math.round(performance.now() - began);
  setStatus(`${count} segments and subsegments, ${docs.length} documents, duration ${fmtSeconds(trace.Duration)} — loaded in ${ms} ms`);
  document.getElementById("main").dataset.rows = String(count);
  // First window of the waterfall is in the DOM: bench/console.py reads this mark.
  performance.mark("otelray:trace-ready");
  loadTraceMap();
}

load();
