import { useEffect, useRef } from 'react';
import L from 'leaflet';
import { Box } from '@mui/material';
import { useRecordContext } from 'react-admin';
import { createBaseMap, geometryOf } from './baseMap';

/** A record's geometry on a small offline map (show views). */
export function GeometryField({ source }: { source: string; label?: string }) {
  const record = useRecordContext();
  const el = useRef<HTMLDivElement>(null);
  const g = record ? geometryOf({ geometry: record[source] }) : null;
  const key = JSON.stringify(g);
  useEffect(() => {
    if (!el.current || !g) return;
    const map = createBaseMap(el.current);
    const layer = L.geoJSON(g as GeoJSON.Geometry, {
      style: { color: '#1565c0', weight: 3, fillOpacity: 0.15 },
      pointToLayer: (_f, ll) => L.circleMarker(ll, { radius: 7, color: '#1565c0' }),
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { maxZoom: 17 });
    return () => {
      map.remove();
    };
  }, [key]);
  if (!g) return null;
  return (
    <Box ref={el} className="dwg-map" sx={{ height: 300, width: '100%', minWidth: 400, borderRadius: 1 }} />
  );
}
