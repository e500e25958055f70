// Maps of the reviewers' web UI. Each element with data-map names a <script type="application/json"> holding
// GeoJSON in WGS84 (lon/lat); parcels are drawn without a basemap unless the server configures a tile URL.
import L from "leaflet";

const FIX_STYLE = { radius: 7, color: "#1f4e9c", fillColor: "#4d8be6", fillOpacity: 0.9, weight: 2 };
const PHOTO_STYLE = { radius: 6, color: "#8a4b00", fillColor: "#f0a030", fillOpacity: 0.95, weight: 2 };
const PARCEL_STYLE = { color: "#2f6b2f", weight: 2, fillColor: "#7fbf5f", fillOpacity: 0.25 };
const SIGHT_M = 25; // length of the line showing where the camera pointed

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// A point SIGHT_M metres from `latlng` towards `azimuth` degrees (clockwise from north); flat-earth is plenty here.
function ahead(latlng, azimuth) {
  const rad = (azimuth * Math.PI) / 180;
  const dLat = (SIGHT_M * Math.cos(rad)) / 111320;
  const dLon = (SIGHT_M * Math.sin(rad)) / (111320 * Math.cos((latlng.lat * Math.PI) / 180));
  return L.latLng(latlng.lat + dLat, latlng.lng + dLon);
}

function pointLayer(feature, latlng) {
  const props = feature.properties || {};
  const style = props.kind === "fix" ? FIX_STYLE : PHOTO_STYLE;
  const marker = L.circleMarker(latlng, style);
  if (props.kind === "photo" && typeof props.azimuth === "number") {
    return L.featureGroup([L.polyline([latlng, ahead(latlng, props.azimuth)], { color: style.color, weight: 3 }), marker]);
  }
  return marker;
}

function polygonStyle(feature) {
  if (feature.geometry.type === "Point") return {}; // points keep the style pointLayer gave them
  const fill = feature.properties && feature.properties.fill;
  return fill ? { color: fill, weight: 1, fillColor: fill, fillOpacity: 0.75 } : PARCEL_STYLE;
}

function bindLabel(feature, layer) {
  const label = feature.properties && feature.properties.label;
  if (label) layer.bindTooltip(escapeHtml(label));
  const href = feature.properties && feature.properties.href;
  if (href) layer.on("click", () => { window.location.href = href; });
}

function draw(element) {
  const source = document.getElementById(element.dataset.map);
  const data = JSON.parse(source.textContent);
  const map = L.map(element, { attributionControl: Boolean(element.dataset.tiles) });
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution || "" }).addTo(map);
  }
  const layer = L.geoJSON(data, { pointToLayer: pointLayer, style: polygonStyle, onEachFeature: bindLabel }).addTo(map);
  const bounds = layer.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: 18 });
  } else {
    map.setView([30.3, 120.2], 12);
  }
  element.dataset.ready = "true"; // for the browser tests: the map drew its features
}

document.querySelectorAll("[data-map]").forEach(draw);
