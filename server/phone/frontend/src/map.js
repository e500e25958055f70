// The village's parcels on a Leaflet map, offline: the parcels come from the pull (GeoJSON, WGS84), and no
// basemap is needed. Also the plain geometry the record page needs: which parcel the phone stands in, and
// how far it is from a chosen one.
import L from "leaflet";
import "leaflet/dist/leaflet.css";

const EARTH_RADIUS_M = 6371008.8;

function polygons(geometry) {
  if (geometry.type === "Polygon") return [geometry.coordinates];
  if (geometry.type === "MultiPolygon") return geometry.coordinates;
  return [];
}

function inRing(lon, lat, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function contains(feature, lon, lat) {
  return polygons(feature.geometry).some(([outer, ...holes]) =>
    inRing(lon, lat, outer) && !holes.some((hole) => inRing(lon, lat, hole)));
}

/** Metres from the point to the parcel: 0 inside, else to the nearest edge (local equirectangular plane,
 * accurate to well under a metre at village scale). */
export function distanceM(feature, lon, lat) {
  if (contains(feature, lon, lat)) return 0;
  const k = (Math.PI / 180) * EARTH_RADIUS_M;
  const kx = k * Math.cos((lat * Math.PI) / 180);
  let best = Infinity;
  for (const rings of polygons(feature.geometry)) {
    for (const ring of rings) {
      for (let i = 1; i < ring.length; i += 1) {
        const ax = (ring[i - 1][0] - lon) * kx;
        const ay = (ring[i - 1][1] - lat) * k;
        const bx = (ring[i][0] - lon) * kx;
        const by = (ring[i][1] - lat) * k;
        const dx = bx - ax;
        const dy = by - ay;
        const t = dx || dy ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / (dx * dx + dy * dy))) : 0;
        best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
      }
    }
  }
  return best;
}

export function parcelAt(parcels, lon, lat) {
  return parcels.find((feature) => contains(feature, lon, lat)) ?? null;
}

/** "位于该图斑内", or "距该图斑 120 米". */
export function describeDistance(metres) {
  if (metres === 0) return "位于该图斑内";
  return `距该图斑 ${metres < 1000 ? `${Math.round(metres)} 米` : `${(metres / 1000).toFixed(1)} 公里`}`;
}

export function parcelCode(feature) {
  return feature.properties?.code ?? feature.id;
}

/** A map of the parcels in `element`; `onSelect(code)` when one is tapped. */
export function createMap(element, parcels, onSelect) {
  const map = L.map(element, { zoomControl: true, attributionControl: false, preferCanvas: true });
  const style = { color: "#2e7d32", weight: 2, fillOpacity: 0.15 };
  const layer = L.geoJSON({ type: "FeatureCollection", features: parcels }, {
    style: () => style,
    onEachFeature: (feature, shape) => {
      shape.bindTooltip(parcelCode(feature), { sticky: true });
      shape.on("click", () => onSelect(parcelCode(feature)));
    },
  }).addTo(map);
  if (parcels.length) map.fitBounds(layer.getBounds(), { padding: [12, 12] });
  else map.setView([30.3, 120.2], 13);
  let position = null;
  let accuracy = null;
  return {
    map,
    highlight(code) {
      layer.eachLayer((shape) => shape.setStyle(parcelCode(shape.feature) === code
        ? { color: "#c62828", weight: 3, fillOpacity: 0.3 } : style));
    },
    showPosition(lat, lon, accuracyM) {
      position ??= L.circleMarker([lat, lon], { radius: 7, color: "#1565c0", fillOpacity: 1 }).addTo(map);
      accuracy ??= L.circle([lat, lon], { radius: accuracyM || 1, color: "#1565c0", weight: 1, fillOpacity: 0.1 }).addTo(map);
      position.setLatLng([lat, lon]);
      accuracy.setLatLng([lat, lon]).setRadius(accuracyM || 1);
    },
    remove: () => map.remove(),
  };
}
