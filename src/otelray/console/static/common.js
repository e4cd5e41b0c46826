// otelray console: shared helpers. Trace data is untrusted: the DOM is built with createElement and
// textContent only (never parsed as markup), and every API call goes same-origin through /xray/<path>.

// X-Ray operation -> request path (botocore xray service model; checked by a unit test).
export const PATHS = {
  BatchGetTraces: "/Traces",
  GetTraceSummaries: "/TraceSummaries",
  GetServiceGraph: "/ServiceGraph",
  GetTraceGraph: "/TraceGraph",
  GetTimeSeriesServiceStatistics: "/TimeSeriesServiceStatistics",
  GetGroups: "/Groups",
  CreateGroup: "/CreateGroup",
  UpdateGroup: "/UpdateGroup",
  DeleteGroup: "/DeleteGroup",
  GetSamplingRules: "/GetSamplingRules",
  CreateSamplingRule: "/CreateSamplingRule",
  UpdateSamplingRule: "/UpdateSamplingRule",
  DeleteSamplingRule: "/DeleteSamplingRule",
  GetSamplingStatisticSummaries: "/SamplingStatisticSummaries",
};

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

async function decode(response) {
  let data = {};
  try {
    data = await response.json();
  } catch (_err) {
    data = {};
  }
  if (!response.ok) {
    const code = String(data.__type || response.headers.get("x-amzn-ErrorType") || "Error").split(":")[0];
    throw new ApiError(code, String(data.message || data.Message || response.statusText), response.status);
  }
  return data;
}

// Call one X-Ray operation through the console's same-origin proxy.
export async function api(operation, body) {
  const path = PATHS[operation];
  if (!path) throw new ApiError("UnknownOperation", `${operation} is not wired in the console`, 0);
  const response = await fetch(`/xray${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body || {}),
  });
  return decode(response);
}

// GET a console JSON endpoint (/api/...).
export async function getJSON(url) {
  return decode(await fetch(url, { headers: { Accept: "application/json" } }));
}

// Create an element: el("td", {className: "x", dataset: {id: "1"}}, "text", childNode, ...).
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  applyProps(node, props);
  append(node, children);
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

// Create an SVG element; attributes are set with setAttribute (values as strings).
export function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function applyProps(node, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else if (key === "className" || key === "textContent" || key === "title" || key === "href" ||
             key === "type" || key === "value" || key === "hidden" || key === "disabled" || key === "id")
      node[key] = value;
    else node.setAttribute(key, String(value));
  }
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function setStatus(text, isError) {
  const node = document.getElementById("status");
  if (!node) return;
  node.textContent = text;
  node.classList.toggle("error", Boolean(isError));
}

export function fmtSeconds(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return "–";
  if (value < 0.001) return `${(value * 1e6).toFixed(0)} µs`;
  if (value < 1) return `${(value * 1000).toFixed(1)} ms`;
  return `${value.toFixed(2)} s`;
}

export function fmtTime(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  return d.toISOString().replace("T", " ").replace("Z", "");
}

// Time range and group from the toolbar and the URL: ?range=seconds (relative to now) or
// ?start=epoch&end=epoch (custom), and ?group=name.
function localInput(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
}

export function readToolbar() {
  const params = new URLSearchParams(location.search);
  const range = document.getElementById("range");
  const group = document.getElementById("group");
  const groupName = (group && group.value) || (!group && params.get("group")) || "";
  if (range && range.value === "custom") {
    const start = Date.parse(document.getElementById("from").value) / 1000;
    const end = Date.parse(document.getElementById("to").value) / 1000;
    if (start < end) return { start, end, seconds: end - start, group: groupName, custom: true };
  }
  const seconds = Number((range && range.value !== "custom" && range.value) || params.get("range") || 900);
  const end = Date.now() / 1000;
  return { start: end - seconds, end, seconds, group: groupName, custom: false };
}

// URL parameters that carry the current window and group to another page.
export function windowParams() {
  const { start, end, seconds, group, custom } = readToolbar();
  const params = custom ? new URLSearchParams({ start: String(Math.floor(start)), end: String(Math.ceil(end)) })
    : new URLSearchParams({ range: String(seconds) });
  if (group) params.set("group", group);
  return params;
}

// Fill the group selector from GetGroups; `onChange` runs when the range, group or refresh changes.
export async function initToolbar(onChange) {
  const params = new URLSearchParams(location.search);
  const range = document.getElementById("range");
  const group = document.getElementById("group");
  const refresh = document.getElementById("refresh");
  const custom = document.getElementById("custom-range");
  if (range && params.get("start") && params.get("end")) {
    range.value = "custom";
    document.getElementById("from").value = localInput(Number(params.get("start")));
    document.getElementById("to").value = localInput(Number(params.get("end")));
  } else if (range && params.get("range")) {
    range.value = params.get("range");
  }
  if (custom) custom.hidden = !range || range.value !== "custom";
  if (range) {
    range.addEventListener("change", () => {
      if (range.value === "custom") {
        const now = Date.now() / 1000;
        const from = document.getElementById("from");
        const to = document.getElementById("to");
        if (!from.value) from.value = localInput(now - 3600);
        if (!to.value) to.value = localInput(now);
      }
      if (custom) custom.hidden = range.value !== "custom";
      onChange();
    });
  }
  for (const id of ["from", "to"]) {
    const input = document.getElementById(id);
    if (input) input.addEventListener("change", () => onChange());
  }
  if (refresh) refresh.addEventListener("click", () => onChange());
  if (group) {
    group.addEventListener("change", () => onChange());
    try {
      const groups = await listGroups();
      for (const g of groups) {
        if (g.GroupName === "Default") continue;
        group.append(el("option", { value: g.GroupName }, g.GroupName));
      }
      if (params.get("group")) group.value = params.get("group");
    } catch (err) {
      setStatus(`Groups unavailable: ${err.message}`, true);
    }
  }
}

export async function listGroups() {
  const out = [];
  let token;
  do {
    const page = await api("GetGroups", token ? { NextToken: token } : {});
    out.push(...(page.Groups || []));
    token = page.NextToken;
  } while (token);
  return out;
}

// Colours of the health classes (ok / error / throttle / fault), as in the X-Ray console.
export const HEALTH = [
  ["ok", "OK (2xx)"],
  ["error", "Error (4xx)"],
  ["throttle", "Throttle (429)"],
  ["fault", "Fault (5xx)"],
];

// Quote a value for a filter expression (double quotes, backslash escapes).
export function quote(value) {
  return `"${String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

// Let the user drag across an SVG chart of width W (padding PAD) whose x axis runs 0..max seconds;
// `onRange(a, b)` gets the selected seconds. Adds and returns the brush rectangle.
export function attachBrush(chart, { W, H, PAD, max }, onRange) {
  const brush = svg("rect", { x: 0, y: PAD / 2, width: 0, height: H - 1.5 * PAD, class: "brush" });
  chart.append(brush);
  chart.classList.add("brushable");
  let from = null;
  const toX = (event) => {
    const box = chart.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * W;
    return Math.max(PAD, Math.min(W - PAD, x));
  };
  chart.addEventListener("pointerdown", (event) => {
    from = toX(event);
    brush.setAttribute("x", from);
    brush.setAttribute("width", 0);
    chart.setPointerCapture(event.pointerId);
  });
  chart.addEventListener("pointermove", (event) => {
    if (from === null) return;
    const x = toX(event);
    brush.setAttribute("x", Math.min(from, x));
    brush.setAttribute("width", Math.abs(x - from));
  });
  chart.addEventListener("pointerup", (event) => {
    if (from === null) return;
    const to = toX(event);
    const a = ((Math.min(from, to) - PAD) / (W - 2 * PAD)) * max;
    const b = ((Math.max(from, to) - PAD) / (W - 2 * PAD)) * max;
    // Dragged to the right edge: no upper bound (histogram values are rounded by the service).
    const open = Math.max(from, to) >= W - PAD;
    from = null;
    if (b - a > 0) onRange(a, open ? null : b);
  });
  return brush;
}

// The filter of a brushed response-time range (b = null: no upper bound), widened to whole
// microseconds so the edges stay in.
export function rangeFilter(a, b) {
  const low = `responsetime >= ${(Math.floor(a * 1e6) / 1e6).toFixed(6)}`;
  return b === null ? low : `${low} AND responsetime <= ${(Math.ceil(b * 1e6) / 1e6).toFixed(6)}`;
}
