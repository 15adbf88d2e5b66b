// The map viewer: one MapLibre style (/styles/phananh.json) with every layer, a layer switcher,
// the filters of the heat layer and the legends (/legends/...). Vietnamese first.
// Hotspot layers (Gi*, emerging, recurring) come hidden in the style and are shown on demand:
// their first tile of a data version computes the runs.
import * as maplibregl from "/static/vendor/maplibre-gl.mjs";

// Switcher group -> the style layers it shows.
const GROUPS = {
  wards: (layer) => layer.source === "wards",
  heat: (layer) => layer.source === "heat",
  gistar: (layer) => layer.id === "hotspots-fill",
  emerging: (layer) => layer.id === "emerging-fill",
  recurring: (layer) => layer.id.startsWith("recurring-"),
  complaints: (layer) => layer.source === "complaints",
  boundaries: (layer) => layer.source === "boundaries",
};
const RUN_FILTERS = ["field", "category", "from", "to"];  // what hotspot runs count by
const state = {
  visible: {
    wards: true, heat: false, gistar: false, emerging: false, recurring: false,
    complaints: true, boundaries: true,
  },
  metric: "per_10k",
  filters: new URLSearchParams(),
};
const message = document.getElementById("message");

function styleUrl() {
  const query = new URLSearchParams(state.filters);
  query.set("metric", state.metric);
  return `/styles/phananh.json?${query}`;
}

async function getJson(url) {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail || body.message || response.statusText);
  return body;
}

const map = new maplibregl.Map({
  container: "map",
  style: styleUrl(),
  center: [106.7009, 10.7769],
  zoom: 11,
  hash: true,
});
map.addControl(new maplibregl.NavigationControl(), "top-left");
map.addControl(new maplibregl.ScaleControl({ unit: "metric" }));
map.on("styledata", applyVisibility);
map.on("error", (event) => { message.textContent = `Lỗi bản đồ: ${event.error?.message ?? event}`; });

function applyVisibility() {
  const style = map.getStyle();
  if (!style) return;
  for (const layer of style.layers) {
    const group = Object.keys(GROUPS).find((name) => GROUPS[name](layer));
    if (group) {
      const visibility = state.visible[group] ? "visible" : "none";
      if (map.getLayoutProperty(layer.id, "visibility") !== visibility) {
        map.setLayoutProperty(layer.id, "visibility", visibility);
      }
    }
  }
}

function filtersFromForm(form) {
  const query = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (value) query.set(key, value.trim());
  }
  return query;
}

function wardsQuery() {  // status and late do not apply to the choropleth
  const query = new URLSearchParams(state.filters);
  query.delete("status");
  query.delete("late");
  query.set("metric", state.metric);
  return query;
}

function runsQuery() {  // hotspot runs count by field, category and days only
  const query = new URLSearchParams();
  for (const key of RUN_FILTERS) {
    if (state.filters.has(key)) query.set(key, state.filters.get(key));
  }
  return query;
}

function row(colour, label, outline = false) {
  const div = document.createElement("div");
  div.className = "row";
  const swatch = document.createElement("span");
  swatch.className = "swatch";
  if (outline) swatch.style.border = `2px solid ${colour}`;
  else swatch.style.background = colour;
  const text = document.createElement("span");
  text.textContent = label;
  div.append(swatch, text);
  return div;
}

function renderLegend(legend, title) {
  const box = document.createElement("div");
  box.className = "legend";
  const heading = document.createElement("h3");
  heading.textContent = title;
  box.append(heading);
  for (const item of legend.classes ?? []) {
    if (item.drawn !== false) box.append(row(item.color, item.label, item.outline));
  }
  if (legend.no_data) box.append(row(legend.no_data.color, legend.no_data.label));
  if (legend.method) {
    const note = document.createElement("div");
    note.className = "note";
    note.textContent = legend.frozen_at
      ? `Phân lớp ${legend.method}, cố định từ ${legend.frozen_at.slice(0, 10)}`
      : legend.method;
    box.append(note);
  }
  return box;
}

async function refreshLegends() {
  const box = document.getElementById("legends");
  const heatQuery = new URLSearchParams(state.filters);
  const [wards, heat, hotspots, complaints] = await Promise.all([
    getJson(`/legends/wards?${wardsQuery()}`),
    getJson(`/legends/heat?${heatQuery}`),
    getJson(`/legends/hotspots?${runsQuery()}`),
    getJson("/legends/complaints"),
  ]);
  box.replaceChildren(
    renderLegend(wards, wards.metric_title ?? "Chỉ số"),
    renderLegend(heat, heat.metric_title),
    ...hotspots.sublayers.map((part) => renderLegend(part, part.title)),
    renderLegend(complaints, "Lĩnh vực"),
  );
  const metric = document.getElementById("metric");
  if (!metric.options.length) {
    for (const [name, label] of Object.entries(wards.metrics ?? {})) {
      metric.add(new Option(label, name, false, name === state.metric));
    }
  }
  const field = document.querySelector("select[name=field]");
  if (field.options.length === 1) {
    for (const item of complaints.classes) field.add(new Option(item.label, item.value));
  }
}

async function reload() {
  message.textContent = "";
  try {
    await refreshLegends();
    map.setStyle(styleUrl());
  } catch (error) {
    message.textContent = `Không tải được: ${error.message}`;
  }
}

for (const box of document.querySelectorAll("input[name=layer]")) {
  box.addEventListener("change", () => {
    state.visible[box.value] = box.checked;
    applyVisibility();
  });
}
document.getElementById("metric").addEventListener("change", (event) => {
  state.metric = event.target.value;
  reload();
});
document.getElementById("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  state.filters = filtersFromForm(event.target);
  reload();
});

map.on("click", "wards-fill", (event) => {
  const p = event.features[0].properties;
  const lines = [
    `<strong>${escapeHtml(p.name)}</strong>`,
    `Phản ánh: ${p.n ?? 0}`,
    `Trên 10.000 dân: ${p.per_10k ?? "—"}`,
    `Hài lòng TB: ${p.satisfaction ?? "—"} (n = ${p.rated ?? 0})`,
    `Đúng hạn: ${p.on_time_rate != null ? (p.on_time_rate * 100).toFixed(1) + " %" : "—"} (n = ${p.timed ?? 0})`,
    `Quá hạn tồn đọng: ${p.overdue ?? 0}`,
    `Ngày giải quyết (trung vị): ${p.median_days ?? "—"} (n = ${p.closed ?? 0})`,
  ];
  new maplibregl.Popup().setLngLat(event.lngLat).setHTML(lines.join("<br>")).addTo(map);
});

const HOTSPOT_POPUPS = {
  "hotspots-fill": (p) => [
    `<strong>Gi* ${p.class > 0 ? "điểm nóng" : "điểm lạnh"}</strong> (ô ${p.h3})`,
    `z = ${p.z}, p (FDR) = ${Number(p.p_fdr).toPrecision(2)}`,
    `Phản ánh trong ô: ${p.n}`,
  ],
  "emerging-fill": (p) => [
    `<strong>${escapeHtml(p.name)}</strong> (ô ${p.h3})`,
    `Xu hướng Mann–Kendall: τ = ${Number(p.tau).toFixed(2)}, p = ${Number(p.p).toPrecision(2)}`,
    `Phản ánh: ${p.n} (bước cuối: ${p.n_last})`,
  ],
  "recurring-fill": (p) => [
    `<strong>Điểm lặp lại #${p.spot}</strong>`,
    `${p.n} phản ánh trong ${p.days} ngày, ${p.weeks} tuần`,
    `Từ ${p.first_day} đến ${p.last_day}`,
  ],
};
for (const [layer, lines] of Object.entries(HOTSPOT_POPUPS)) {
  map.on("click", layer, (event) => {
    const html = lines(event.features[0].properties).join("<br>");
    new maplibregl.Popup().setLngLat(event.lngLat).setHTML(html).addTo(map);
  });
}

function escapeHtml(text) {
  const span = document.createElement("span");
  span.textContent = String(text ?? "");
  return span.innerHTML;
}

refreshLegends().catch((error) => { message.textContent = `Không tải được: ${error.message}`; });
