// Analytics page: GetTimeSeriesServiceStatistics as SVG charts — response-time distribution and
// request / error / throttle / fault rates per period — for the entry edges or one service.
import {
  api, clear, el, fmtSeconds, getJSON, initToolbar, quote, readToolbar, setStatus, svg, windowParams,
} from "./common.js";
import { histogramChart } from "./graph.js";

const serviceSelect = document.getElementById("service");

function period(seconds) {
  // About 60 points per chart, in whole minutes (the store keeps per-minute rollups).
  return Math.max(60, Math.ceil(seconds / 60 / 60) * 60);
}

async function fillServices() {
  const { start, end, group } = readToolbar();
  const params = new URLSearchParams({ start: String(start), end: String(end) });
  if (group) params.set("group", group);
  const keep = serviceSelect.value;
  try {
    const graph = await getJSON(`/api/map-layout?${params}`);
    const names = [...new Set(graph.nodes.filter((n) => !n.client).map((n) => n.name))].sort();
    serviceSelect.replaceChildren(el("option", { value: "" }, "Entry requests (all edges)"),
      ...names.map((n) => el("option", { value: n }, n)));
    if (names.includes(keep)) serviceSelect.value = keep;
  } catch (err) {
    setStatus(`${err.code}: ${err.message}`, true);
  }
}

async function fetchSeries() {
  const { start, end, seconds, group } = readToolbar();
  const body = { StartTime: start, EndTime: end, Period: period(seconds) };
  if (group) body.GroupName = group;
  if (serviceSelect.value) body.EntitySelectorExpression = `service(${quote(serviceSelect.value)})`;
  const points = [];
  let token;
  do {
    const page = await api("GetTimeSeriesServiceStatistics", token ? { ...body, NextToken: token } : body);
    points.push(...(page.TimeSeriesServiceStatistics || []));
    token = page.NextToken;
  } while (token);
  return { points, start, end };
}

// A service selector reports the node's own statistics; without one, the entry edges'.
function stats(point, ofService) {
  const s = (ofService ? point.ServiceSummaryStatistics : point.EdgeSummaryStatistics) || {};
  const total = s.TotalCount || 0;
  const errors = s.ErrorStatistics || {};
  const faults = s.FaultStatistics || {};
  return { total, error: errors.OtherCount || 0, throttle: errors.ThrottleCount || 0, fault: faults.TotalCount || 0 };
}

function lineChart(host, series, { start, end, yLabel, percent }) {
  const W = 600, H = 200, PAD = 36;
  const values = series.flatMap((s) => s.points.map((p) => p[1]));
  const top = Math.max(percent ? 1 : 1, ...values);
  const x = (t) => PAD + ((t - start) / (end - start)) * (W - 2 * PAD);
  const y = (v) => H - PAD - (v / top) * (H - 2 * PAD);
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": yLabel });
  chart.append(svg("line", { x1: PAD, x2: W - PAD, y1: H - PAD, y2: H - PAD, class: "axis" }));
  chart.append(svg("line", { x1: PAD, x2: PAD, y1: PAD, y2: H - PAD, class: "axis" }));
  chart.append(svg("text", { x: PAD - 4, y: PAD + 4, class: "tick", "text-anchor": "end" }, percent ? `${(top * 100).toFixed(0)}%` : String(top)));
  chart.append(svg("text", { x: PAD - 4, y: H - PAD, class: "tick", "text-anchor": "end" }, "0"));
  chart.append(svg("text", { x: PAD, y: H - 12, class: "tick" }, new Date(start * 1000).toLocaleTimeString()));
  chart.append(svg("text", { x: W - PAD, y: H - 12, class: "tick", "text-anchor": "end" }, new Date(end * 1000).toLocaleTimeString()));
  series.forEach((s, i) => {
    if (s.points.length) {
      const d = s.points.map(([t, v], j) => `${j ? "L" : "M"} ${x(t).toFixed(1)} ${y(v).toFixed(1)}`).join(" ");
      chart.append(svg("path", { d, class: `series ${s.key}` }, svg("title", {}, s.label)));
    }
    chart.append(svg("text", { x: PAD + 8 + i * 110, y: 16, class: `tick legend-${s.key}` }, s.label));
  });
  clear(host).append(chart);
}

// The traces behind the charts: same window and group, the chosen service as a filter.
function updateTraceLink() {
  const params = windowParams();
  if (serviceSelect.value) params.set("filter", `service(${quote(serviceSelect.value)})`);
  document.getElementById("view-traces").href = `/traces?${params}`;
}

async function load() {
  setStatus("Loading…");
  updateTraceLink();
  let data;
  try {
    data = await fetchSeries();
  } catch (err) {
    setStatus(`${err.code}: ${err.message}`, true);
    return;
  }
  const { points, start, end } = data;
  const entries = [];
  const requests = [];
  const rates = { error: [], throttle: [], fault: [] };
  let total = 0;
  for (const p of points) {
    const t = typeof p.Timestamp === "number" ? p.Timestamp : Date.parse(p.Timestamp) / 1000;
    const s = stats(p, Boolean(serviceSelect.value));
    total += s.total;
    requests.push([t, s.total]);
    for (const key of Object.keys(rates)) rates[key].push([t, s.total ? s[key] / s.total : 0]);
    entries.push(...(p.ResponseTimeHistogram || []));
  }
  clear(document.getElementById("latency-chart")).append(histogramChart(entries, "Response time distribution"));
  lineChart(document.getElementById("requests-chart"), [{ key: "requests", label: "requests", points: requests }],
    { start, end, yLabel: "Requests per period" });
  lineChart(document.getElementById("rates-chart"), [
    { key: "error", label: "error rate", points: rates.error },
    { key: "throttle", label: "throttle rate", points: rates.throttle },
    { key: "fault", label: "fault rate", points: rates.fault },
  ], { start, end, yLabel: "Error, throttle and fault rate", percent: true });
  const latency = entries.reduce((a, e) => a + e.Value * e.Count, 0) / (entries.reduce((a, e) => a + e.Count, 0) || 1);
  setStatus(`${total} requests in ${points.length} periods; mean response time ${fmtSeconds(latency)}`);
}

serviceSelect.addEventListener("change", load);
initToolbar(async () => { await fillServices(); await load(); }).then(async () => { await fillServices(); await load(); });
