import { useEffect, useRef, useState } from 'react';
import L from 'leaflet';
import { Box, Button, Stack, Typography } from '@mui/material';
import { useInput, useTranslate, useGetList, useRecordContext, useResourceContext } from 'react-admin';
import { useWatch } from 'react-hook-form';
import { createBaseMap, geometryOf } from './baseMap';
import { closeRing, toGeometry, type DrawKind } from '../lib/geometry';
import { siteGeometryType } from '../resources/specs';

/**
 * Draws or redraws a zone (Polygon), route (LineString) or site (Point, or Polygon for green areas) on the map:
 * click to add vertices, Finish to keep. The contract's other zones are drawn faintly for reference. The api
 * validates the shape (closed ring, no self-intersection, inside the parent zone) and its message shows here.
 */
export function GeometryInput({ source, geometry }: { source: string; geometry?: DrawKind }) {
  const { field, fieldState } = useInput({ source });
  const translate = useTranslate();
  const record = useRecordContext();
  const resource = useResourceContext() ?? 'zones';
  const kind = useWatch({ name: 'kind' }) as string | undefined;
  const contractId = useWatch({ name: 'contractId' }) as string | undefined;
  const type: DrawKind = geometry ?? siteGeometryType(kind);
  const el = useRef<HTMLDivElement>(null);
  const mapRef = useRef<L.Map | null>(null);
  const shapeRef = useRef<L.Layer | null>(null);
  const refRef = useRef<L.GeoJSON | null>(null);
  const [points, setPoints] = useState<[number, number][]>([]);
  const { data: zones } = useGetList(
    'zones',
    { pagination: { page: 1, perPage: 500 }, filter: contractId ? { contractId } : {} },
    { enabled: !!contractId },
  );

  useEffect(() => {
    if (!el.current) return;
    const map = createBaseMap(el.current);
    mapRef.current = map;
    map.doubleClickZoom.disable();
    return () => {
      map.remove();
      mapRef.current = null;
    };
  }, []);

  // Reference layer: the contract's zones.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !zones) return;
    refRef.current?.remove();
    const fc = zones
      .filter((z) => z.id !== record?.id)
      .map((z) => ({ type: 'Feature' as const, properties: {}, geometry: geometryOf(z)! }))
      .filter((f) => f.geometry);
    refRef.current = L.geoJSON(fc, { style: { color: '#90a4ae', weight: 1, fillOpacity: 0.05 } }).addTo(map);
    if (!field.value && fc.length) map.fitBounds(refRef.current.getBounds(), { maxZoom: 16 });
  }, [zones, record?.id, field.value]);

  // The current value, or the shape being drawn.
  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    shapeRef.current?.remove();
    if (points.length) {
      const ll = points.map(([lng, lat]) => L.latLng(lat, lng));
      shapeRef.current =
        type === 'Point'
          ? L.circleMarker(ll[0], { radius: 7, color: '#1565c0' })
          : type === 'Polygon'
            ? L.polygon(ll, { color: '#1565c0', dashArray: '4' })
            : L.polyline(ll, { color: '#1565c0', dashArray: '4' });
      shapeRef.current.addTo(map);
      return;
    }
    const g = geometryOf({ geometry: field.value });
    if (g) {
      const layer = L.geoJSON(g as GeoJSON.Geometry, {
        style: { color: '#1565c0', weight: 3, fillOpacity: 0.15 },
        pointToLayer: (_f, ll) => L.circleMarker(ll, { radius: 7, color: '#1565c0' }),
      }).addTo(map);
      shapeRef.current = layer;
      map.fitBounds(layer.getBounds(), { maxZoom: 17 });
    }
  }, [field.value, points, type]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    const onClick = (e: L.LeafletMouseEvent) => {
      const p: [number, number] = [round(e.latlng.lng), round(e.latlng.lat)];
      if (type === 'Point') {
        field.onChange(toGeometry('Point', [p]));
        setPoints([]);
      } else setPoints((prev) => [...prev, p]);
    };
    map.on('click', onClick);
    return () => {
      map.off('click', onClick);
    };
  }, [type, field]);

  const finish = () => {
    const g = toGeometry(type, type === 'Polygon' ? closeRing(points) : points);
    if (g) field.onChange(g);
    setPoints([]);
  };

  return (
    <Box sx={{ width: '100%', my: 1 }}>
      <Typography variant="caption" color="text.secondary">
        {translate(`resources.${resource}.fields.geometry`)} ({type}) — {translate('dwg.map.draw')}
      </Typography>
      <Box
        ref={el}
        className="dwg-map"
        data-testid="geometry-map"
        sx={{ height: 360, borderRadius: 1, mt: 0.5 }}
      />
      <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
        {type !== 'Point' && (
          <Button
            size="small"
            variant="contained"
            disabled={points.length < (type === 'Polygon' ? 3 : 2)}
            onClick={finish}
          >
            {translate('dwg.map.finishDrawing')}
          </Button>
        )}
        <Button size="small" onClick={() => setPoints([])}>
          {translate('dwg.map.clearDrawing')}
        </Button>
      </Stack>
      {fieldState.error && (
        <Typography color="error" variant="caption">
          {translate(fieldState.error.message ?? '', { _: fieldState.error.message })}
        </Typography>
      )}
    </Box>
  );
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;
