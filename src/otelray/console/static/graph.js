// Draw a laid-out X-Ray graph (from /api/map-layout or /api/trace-map/<id>) as SVG, and the side
// panel of a selected node or edge: statistics, response-time histogram, "View traces".
import { HEALTH, attachBrush, clear, el, fmtSeconds, quote, rangeFilter, svg } from "./common.js";

// Arc of a ring segment (fractions a..b of the circle) around (cx, cy).
function arc(cx, cy, r, a, b) {
  const p = (f) => [cx + r * Math.sin(2 * Math.PI * f), cy - r * Math.cos(2 * Math.PI * f)];
  const [x1, y1] = p(a);
  const [x2, y2] = p(Math.min(b, a + 0.9999));
  return `M ${x1.toFixed(2)} ${y1.toFixed(2)} A ${r} ${r} 0 ${b - a > 0.5 ? 1 : 0} 1 ${x2.toFixed(2)} ${y2.toFixed(2)}`;
}

function ring(node) {
  const h = node.health;
  const g = svg("g", { class: "rings" });
  const total = h.ok + h.error + h.throttle + h.fault;
  const r = node.r + 4;
  if (!total) {
    g.append(svg("circle", { cx: node.x, cy: node.y, r, class: "ring none" }));
    return g;
  }
  let at = 0;
  for (const [key] of HEALTH) {
    const share = h[key] / total;
    if (share <= 0) continue;
    if (share >= 0.9999) g.append(svg("circle", { cx: node.x, cy: node.y, r, class: `ring ${key}` }));
    else g.append(svg("path", { d: arc(node.x, node.y, r, at, at + share), class: `ring ${key}` }));
    at += share;
  }
  return g;
}

function edgePath(edge, nodes) {
  if (edge.source === edge.target) {
    const n = nodes.get(edge.source);
    return `M ${n.x - 8} ${n.y - n.r} C ${n.x - 30} ${n.y - n.r - 50}, ${n.x + 30} ${n.y - n.r - 50}, ${n.x + 8} ${n.y - n.r}`;
  }
  const pts = edge.points;
  return pts.map((p, i) => `${i ? "L" : "M"} ${p[0]} ${p[1]}`).join(" ");
}

function edgeLabelAt(edge, nodes) {
  if (edge.source === edge.target) {
    const n = nodes.get(edge.source);
    return [n.x, n.y - n.r - 42];
  }
  const pts = edge.points;
  const mid = pts[Math.floor((pts.length - 1) / 2)];
  const next = pts[Math.min(pts.length - 1, Math.floor((pts.length - 1) / 2) + 1)];
  return [(mid[0] + next[0]) / 2, (mid[1] + next[1]) / 2 - 6];
}

// Render the graph into `host`; `onSelect(kind, item, nodesById)` runs on clicks.
// With `fit`, the drawing scales down towards `fit` pixels of height.
export function drawGraph(host, graph, onSelect, fit) {
  clear(host);
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  // Requests per minute need the window: the service map has one, a single trace's map does not.
  const minutes = graph.start && graph.end ? (graph.end - graph.start) / 60 : 0;
  const width = Math.max(graph.width, 300);
  const height = Math.max(graph.height, 160);
  // Shrink to `fit` pixels of height, but not below 60 % (labels stay readable; the host scrolls).
  const scale = fit ? Math.max(0.6, Math.min(1, fit / height)) : 1;
  const root = svg("svg", { class: "map", width: Math.round(width * scale), height: Math.round(height * scale),
    viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Service map" });
  root.append(svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#9aa7b4" }))));
  for (const edge of graph.edges) {
    const d = edgePath(edge, nodes);
    const [lx, ly] = edgeLabelAt(edge, nodes);
    const g = svg("g", { class: `edge${edge.link ? " link" : ""}`, "data-source": edge.source, "data-target": edge.target },
      svg("path", { d, class: "line", "marker-end": "url(#arrow)" }),
      svg("path", { d, class: "hit" }),
      edge.health.total ? svg("text", { x: lx, y: ly, "text-anchor": "middle" }, fmtSeconds(edge.health.avg)) : null);
    g.addEventListener("click", () => select(root, g, () => onSelect("edge", edge, nodes)));
    root.append(g);
  }
  for (const node of graph.nodes) {
    const g = svg("g", { class: `node${node.client ? " client" : ""}`, "data-id": node.id, "data-name": node.name,
      tabindex: 0 },
      ring(node),
      svg("circle", { cx: node.x, cy: node.y, r: node.r, class: "core" }),
      svg("text", { x: node.x, y: node.y + node.r + 18, "text-anchor": "middle", class: "name" },
        node.client ? "Client" : node.name),
      node.client ? null : svg("text", { x: node.x, y: node.y + node.r + 31, "text-anchor": "middle", class: "stat" },
        node.type || ""),
      node.health.total ? svg("text", { x: node.x, y: node.y + (minutes ? -1 : 4), "text-anchor": "middle", class: "stat" },
        fmtSeconds(node.health.avg)) : null,
      node.health.total && minutes ? svg("text", { x: node.x, y: node.y + 11, "text-anchor": "middle", class: "stat rate" },
        `${(node.health.total / minutes).toFixed(1)} t/min`) : null);
    const activate = () => select(root, g, () => onSelect("node", node, nodes));
    g.addEventListener("click", activate);
    g.addEventListener("keydown", (event) => { if (event.key === "Enter") activate(); });
    root.append(g);
  }
  host.append(root);
  return root;
}

function select(root, g, then) {
  for (const s of root.querySelectorAll(".selected")) s.classList.remove("selected");
  g.classList.add("selected");
  then();
}

// Histogram of X-Ray HistogramEntry values ({Value seconds, Count}) as SVG bars; with `onRange`,
// dragging across it selects a response-time range.
export function histogramChart(entries, label, onRange) {
  const W = 340, H = 130, PAD = 24;
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "panel-hist", role: "img", "aria-label": label });
  if (!entries || !entries.length) {
    chart.append(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "tick" }, "no completed requests"));
    return chart;
  }
  const sorted = [...entries].sort((a, b) => a.Value - b.Value);
  const max = sorted[sorted.length - 1].Value || 0.001;
  const BINS = 24;
  const counts = new Array(BINS).fill(0);
  for (const e of sorted) counts[Math.min(BINS - 1, Math.floor((e.Value / max) * BINS))] += e.Count;
  const top = Math.max(...counts) || 1;
  const bw = (W - 2 * PAD) / BINS;
  counts.forEach((c, i) => {
    const h = ((H - 2 * PAD) * c) / top;
    chart.append(svg("rect", { x: PAD + i * bw + 1, y: H - PAD - h, width: bw - 2, height: h, class: "bar" },
      svg("title", {}, `≤ ${fmtSeconds(((i + 1) * max) / BINS)}: ${c}`)));
  });
  chart.append(svg("line", { x1: PAD, x2: W - PAD, y1: H - PAD, y2: H - PAD, class: "axis" }));
  chart.append(svg("text", { x: PAD, y: H - 6, class: "tick" }, "0"));
  chart.append(svg("text", { x: W - PAD, y: H - 6, class: "tick", "text-anchor": "end" }, fmtSeconds(max)));
  if (onRange) attachBrush(chart, { W, H, PAD, max }, onRange);
  return chart;
}

function statsList(h) {
  const pct = (v) => (h.total ? `${((100 * v) / h.total).toFixed(1)} %` : "–");
  return el("dl", {},
    el("dt", {}, "Requests"), el("dd", { className: "stat-total" }, String(h.total)),
    el("dt", {}, "Average latency"), el("dd", { className: "stat-avg" }, fmtSeconds(h.avg)),
    el("dt", {}, "OK"), el("dd", {}, `${h.ok} (${pct(h.ok)})`),
    el("dt", {}, "Errors (4xx)"), el("dd", {}, `${h.error} (${pct(h.error)})`),
    el("dt", {}, "Throttles (429)"), el("dd", {}, `${h.throttle} (${pct(h.throttle)})`),
    el("dt", {}, "Faults (5xx)"), el("dd", {}, `${h.fault} (${pct(h.fault)})`));
}

// The filter expression that selects the traces through a node or an edge.
export function filterFor(kind, item, nodes) {
  const ref = (node) => (node.client ? null : quote(node.name));
  if (kind === "node") return item.client ? "" : `service(${quote(item.name)})`;
  const source = nodes.get(item.source);
  const target = nodes.get(item.target);
  if (source.client) return `service(${quote(target.name)}) { root }`;
  return `edge(${ref(source)}, ${ref(target)})`;
}

// Fill the side panel for a clicked node or edge.
export function showPanel(panel, kind, item, graph, nodes, traceLink) {
  clear(panel);
  panel.hidden = false;
  let title;
  let histogram;
  let health = item.health;
  if (kind === "node") {
    title = item.client ? "Client" : item.name;
    histogram = item.histogram;
    if (item.client) {
      // A client node has no statistics of its own: sum its outgoing edges.
      const edges = graph.edges.filter((e) => e.source === item.id);
      health = { total: 0, ok: 0, error: 0, throttle: 0, fault: 0, avg: 0 };
      let time = 0;
      for (const e of edges) {
        for (const k of ["total", "ok", "error", "throttle", "fault"]) health[k] += e.health[k];
        time += e.health.avg * e.health.total;
      }
      health.avg = health.total ? time / health.total : 0;
    }
  } else {
    const source = nodes.get(item.source);
    const target = nodes.get(item.target);
    title = `${source.client ? "Client" : source.name} → ${target.name}`;
    histogram = item.histogram;
  }
  panel.append(el("h2", { className: "panel-title" }, title));
  if (kind === "node" && item.type) panel.append(el("p", { className: "status" }, item.type));
  panel.append(statsList(health));
  panel.append(el("h3", {}, kind === "node" ? "Response time (server side)" : "Response time (caller side)"));
  const filter = filterFor(kind, item, nodes);
  const link = traceLink && filter ? el("a", { className: "button-link view-traces", href: traceLink(filter) }, "View traces") : null;
  const note = el("p", { className: "status brush-note" }, link ? "Drag across the histogram to pick a response-time range." : "");
  // A brushed range narrows "View traces" to those requests: service("x") { responsetime >= a AND … }.
  const narrow = (a, b) => {
    const scoped = filter.replace(/\s*\{ root \}$/, "");
    const inner = filter.endsWith("{ root }") ? `root AND ${rangeFilter(a, b)}` : rangeFilter(a, b);
    link.href = traceLink(`${scoped} { ${inner} }`);
    note.textContent = `Selected ${fmtSeconds(a)} – ${b === null ? "slowest" : fmtSeconds(b)}`;
  };
  panel.append(histogramChart(histogram, "Response time histogram", link ? narrow : null));
  if (link) panel.append(note, el("p", {}, link));
}
