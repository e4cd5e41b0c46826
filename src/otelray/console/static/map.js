// Service map page: GetServiceGraph laid out on the server (/api/map-layout), drawn as SVG.
import { HEALTH, el, getJSON, initToolbar, readToolbar, setStatus, windowParams } from "./common.js";
import { drawGraph, showPanel } from "./graph.js";

const canvas = document.getElementById("map-canvas");
const panel = document.getElementById("panel");

function traceLink(filter) {
  const params = windowParams();
  params.set("filter", filter);
  return `/traces?${params}`;
}

async function load() {
  const { start, end, group } = readToolbar();
  const params = new URLSearchParams({ start: String(start), end: String(end) });
  if (group) params.set("group", group);
  setStatus("Loading…");
  panel.hidden = true;
  let graph;
  try {
    graph = await getJSON(`/api/map-layout?${params}`);
  } catch (err) {
    setStatus(`${err.code}: ${err.message}`, true);
    return;
  }
  const services = graph.nodes.filter((n) => !n.client).length;
  setStatus(`${services} service${services === 1 ? "" : "s"}, ${graph.edges.length} edge${graph.edges.length === 1 ? "" : "s"}`);
  if (!graph.nodes.length) {
    canvas.replaceChildren(el("p", { className: "status" }, "No requests in this time range."));
    return;
  }
  drawGraph(canvas, graph, (kind, item, nodes) => showPanel(panel, kind, item, graph, nodes, traceLink));
  canvas.prepend(el("div", { className: "legend" }, HEALTH.map(([key, label]) => el("span", { className: key }, label))));
  // The SVG map is drawn: bench/console.py reads this mark.
  performance.mark("otelray:map-ready");
}

initToolbar(load).then(load);
