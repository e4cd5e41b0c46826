// Traces page: time range, group, filter expression (server errors shown with their column marked),
// response-time histogram whose brush becomes a responsetime filter, sortable list paged by NextToken.
import {
  api, attachBrush, clear, el, fmtSeconds, fmtTime, initToolbar, quote, rangeFilter, readToolbar, setStatus, svg,
} from "./common.js";

const state = { summaries: [], token: null, query: null, sortKey: "StartTime", sortDir: -1, scanned: 0 };
const filterInput = document.getElementById("filter");
const MAX_EMPTY_PAGES = 25;

function fullExpression(expression, group) {
  const parts = [];
  if (group) parts.push(`group.name = ${quote(group)}`);
  if (expression) parts.push(group ? `(${expression})` : expression);
  return parts.join(" AND ");
}

async function fetchPage() {
  const q = state.query;
  const body = { StartTime: q.start, EndTime: q.end };
  if (q.expression) body.FilterExpression = q.expression;
  let pages = 0;
  let added = 0;
  do {
    if (state.token) body.NextToken = state.token;
    const page = await api("GetTraceSummaries", body);
    state.scanned += page.TracesProcessedCount || 0;
    const summaries = page.TraceSummaries || [];
    state.summaries.push(...summaries);
    added += summaries.length;
    state.token = page.NextToken || null;
    pages += 1;
  } while (state.token && added === 0 && pages < MAX_EMPTY_PAGES);
}

async function load() {
  const { start, end, group } = readToolbar();
  const typed = filterInput.value.trim();
  state.query = { start, end, expression: fullExpression(typed, group), typed };
  state.summaries = [];
  state.token = null;
  state.scanned = 0;
  hideFilterError();
  setStatus("Loading…");
  const url = new URL(location.href);
  url.searchParams.set("filter", typed);
  history.replaceState(null, "", url);
  try {
    await fetchPage();
  } catch (err) {
    clear(document.getElementById("trace-rows"));
    drawHistogram();
    if (err.code === "InvalidRequestException") showFilterError(err.message, typed, Boolean(group));
    setStatus(`${err.code}: ${err.message}`, true);
    return;
  }
  render();
}

async function more() {
  if (!state.token) return;
  try {
    await fetchPage();
  } catch (err) {
    setStatus(`${err.code}: ${err.message}`, true);
    return;
  }
  render();
}

function hideFilterError() {
  const box = document.getElementById("filter-error");
  box.hidden = true;
  clear(box);
  filterInput.classList.remove("invalid");
}

// Show the server's message and, when it names a column, the expression with that column marked.
function showFilterError(message, typed, grouped) {
  const box = document.getElementById("filter-error");
  clear(box);
  filterInput.classList.add("invalid");
  box.append(el("p", { className: "message" }, message));
  const match = /at column (\d+)/.exec(message);
  if (match) {
    const prefix = grouped ? state.query.expression.length - typed.length - 1 : 0;
    const column = Number(match[1]) - 1 - Math.max(0, prefix);
    if (column >= 0 && column <= typed.length) {
      const pre = el("pre", { className: "expression" },
        typed.slice(0, column),
        el("mark", { className: "error-position" }, typed.slice(column, column + 1) || " "),
        typed.slice(column + 1));
      const caret = el("pre", { className: "caret" }, `${" ".repeat(column)}^ column ${column + 1}`);
      box.append(pre, caret);
      filterInput.focus();
      filterInput.setSelectionRange(column, Math.min(typed.length, column + 1));
    }
  }
  box.hidden = false;
}

function flags(s) {
  const out = [];
  if (s.HasFault) out.push("fault");
  if (s.HasError) out.push("error");
  if (s.HasThrottle) out.push("throttle");
  if (s.IsPartial) out.push("partial");
  return out;
}

const SORT_VALUE = {
  StartTime: (s) => s.StartTime || 0,
  Id: (s) => s.Id,
  Method: (s) => (s.Http && s.Http.HttpMethod) || "",
  URL: (s) => (s.Http && s.Http.HttpURL) || "",
  Status: (s) => (s.Http && s.Http.HttpStatus) || 0,
  ResponseTime: (s) => s.ResponseTime || 0,
  Duration: (s) => s.Duration || 0,
  Flags: (s) => flags(s).join(","),
};

function sorted() {
  const key = SORT_VALUE[state.sortKey];
  return [...state.summaries].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return (x < y ? -1 : x > y ? 1 : 0) * state.sortDir;
  });
}

function render() {
  const body = clear(document.getElementById("trace-rows"));
  for (const s of sorted()) {
    const http = s.Http || {};
    const f = flags(s);
    const link = el("a", { href: `/traces/${encodeURIComponent(s.Id)}` }, s.Id);
    body.append(el("tr", { className: f.length ? `row-${f[0]}` : "row-ok", dataset: { traceId: s.Id } },
      el("td", {}, s.StartTime ? fmtTime(s.StartTime) : "–"),
      el("td", { className: "mono" }, link),
      el("td", {}, http.HttpMethod || ""),
      el("td", { className: "url", title: http.HttpURL || "" }, http.HttpURL || ""),
      el("td", {}, http.HttpStatus === undefined ? "" : String(http.HttpStatus)),
      el("td", { className: "num" }, (s.ResponseTime || 0).toFixed(3)),
      el("td", { className: "num" }, (s.Duration || 0).toFixed(3)),
      el("td", {}, f.map((name) => el("span", { className: `badge ${name}` }, name)))));
  }
  for (const th of document.querySelectorAll("#trace-table th")) {
    th.classList.toggle("sorted", th.dataset.key === state.sortKey);
    th.dataset.dir = th.dataset.key === state.sortKey ? (state.sortDir > 0 ? "asc" : "desc") : "";
  }
  document.getElementById("more").hidden = !state.token;
  const n = state.summaries.length;
  setStatus(`${n} trace${n === 1 ? "" : "s"} shown, ${state.scanned} scanned${state.token ? "; more available" : ""}`);
  drawHistogram();
  // List and histogram are in the DOM: bench/console.py reads this mark (Performance API).
  performance.mark("otelray:traces-ready");
}

// Response-time histogram of the loaded summaries; dragging across it selects a range.
function drawHistogram() {
  const host = clear(document.getElementById("histogram"));
  const values = state.summaries.map((s) => s.ResponseTime || 0);
  const W = 900, H = 120, PAD = 28, BINS = 30;
  if (!values.length) return;
  const max = Math.max(...values) || 0.001;
  const counts = new Array(BINS).fill(0);
  for (const v of values) counts[Math.min(BINS - 1, Math.floor((v / max) * BINS))] += 1;
  const top = Math.max(...counts);
  const bw = (W - 2 * PAD) / BINS;
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "hist", role: "img", "aria-label": "Response time distribution" });
  counts.forEach((c, i) => {
    const h = top ? ((H - 2 * PAD) * c) / top : 0;
    chart.append(svg("rect", { x: PAD + i * bw + 1, y: H - PAD - h, width: bw - 2, height: h, class: "bar" },
      svg("title", {}, `${fmtSeconds((i * max) / BINS)} – ${fmtSeconds(((i + 1) * max) / BINS)}: ${c}`)));
  });
  chart.append(svg("line", { x1: PAD, x2: W - PAD, y1: H - PAD, y2: H - PAD, class: "axis" }));
  chart.append(svg("text", { x: PAD, y: H - 8, class: "tick" }, "0"));
  chart.append(svg("text", { x: W - PAD, y: H - 8, class: "tick", "text-anchor": "end" }, fmtSeconds(max)));
  chart.append(svg("text", { x: W / 2, y: H - 8, class: "tick", "text-anchor": "middle" }, "response time — drag to filter"));
  host.append(chart);
  attachBrush(chart, { W, H, PAD, max }, applyRange);
}

function applyRange(a, b) {
  const base = filterInput.value.replace(/\s*(AND\s+)?responsetime >= [\d.]+( AND responsetime <= [\d.]+)?\s*$/i, "").trim();
  const range = rangeFilter(a, b);
  filterInput.value = base ? `${base} AND ${range}` : range;
  load();
}

function init() {
  const params = new URLSearchParams(location.search);
  filterInput.value = params.get("filter") || "";
  document.getElementById("filter-form").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  document.getElementById("more").addEventListener("click", more);
  for (const th of document.querySelectorAll("#trace-table th")) {
    th.addEventListener("click", () => {
      if (state.sortKey === th.dataset.key) state.sortDir = -state.sortDir;
      else {
        state.sortKey = th.dataset.key;
        state.sortDir = th.dataset.key === "StartTime" ? -1 : 1;
      }
      render();
    });
  }
  initToolbar(load).then(load);
}

init();
