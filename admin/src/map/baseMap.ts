import L from 'leaflet';
import { config } from '../services';

/** The district's centre (seed data), used until the layers give real bounds. */
export const DISTRICT_CENTER: L.LatLngTuple = [23.16, 113.27];

/**
 * A Leaflet map drawn on one canvas (`preferCanvas`): thousands of circle markers stay smooth because they are
 * pixels on a canvas, not DOM nodes. No tile layer unless VITE_TILE_URL / TILE_URL configures one, so the console
 * works without internet on a plain background with the district's own layers.
 */
export function createBaseMap(el: HTMLElement): L.Map {
  const map = L.map(el, {
    preferCanvas: true,
    center: DISTRICT_CENTER,
    zoom: 14,
    zoomControl: true,
    attributionControl: !!config.tileUrl,
  });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  return map;
}

/** GeoJSON geometry of a record (the api answers GeoJSON objects; older data may still be JSON text). */
export function geometryOf(rec: object): GeoJSON.Geometry | null {
  const raw = (rec as { geometry?: unknown }).geometry;
  const g = typeof raw === 'string' ? safeParse(raw) : raw;
  return g && typeof g === 'object' && 'type' in (g as object) ? (g as GeoJSON.Geometry) : null;
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
