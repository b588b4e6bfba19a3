import { useEffect, useRef, useState } from 'react';
import L from 'leaflet';
import { Alert, Box, Checkbox, FormControlLabel, Paper, Stack, Typography } from '@mui/material';
import { Title, useTranslate } from 'react-admin';
import { useNavigate } from 'react-router-dom';
import { createBaseMap, geometryOf } from './baseMap';
import { openLiveStream } from './liveStream';
import { dataProvider } from '../services';
import { liveItemsOf, mergeLive } from '../lib/live';
import {
  STATUS_COLORS,
  countByStatus,
  deviceStatus,
  type DeviceStatus,
  type LiveDevice,
} from '../lib/status';
import { coverageColor, formatRate } from '../lib/coverage';
import { coverageByRoute, serviceDayOf } from '../lib/routeCoverage';

type Layers = { zones: boolean; routes: boolean; sites: boolean; vehicles: boolean; workers: boolean };

/** Test and debugging hook: how many position updates the map applied and where each device is. */
declare global {
  interface Window {
    __dwgLive?: {
      moves: number;
      positions: () => Record<string, [number, number]>;
      /** Pixel position of a device's marker inside the map element, or null when it is not drawn. */
      pointOf: (id: string) => [number, number] | null;
    };
  }
}

function popupHtml(d: LiveDevice, t: (k: string) => string, now: number): string {
  const s = deviceStatus(d, now);
  const subject = (d.subject as { name?: string } | null)?.name ?? d.id;
  const task = (d.taskId as string | null | undefined) ?? null;
  const rows = [
    `<b>${escapeHtml(subject)}</b> <span style="color:${STATUS_COLORS[s]}">● ${t(`dwg.status.${s}`)}</span>`,
    `${t('playback.device')}: ${escapeHtml(d.id)}`,
    `${t('dwg.map.currentTask')}: ${task ? `<a href="#/tasks/${encodeURIComponent(task)}/show">${escapeHtml(task)}</a>` : t('dwg.map.noTask')}`,
    `${t('dwg.map.lastReport')}: ${d.at ? new Date(d.at).toLocaleString() : '—'}`,
    `${t('dwg.map.speed')}: ${d.speedKmh !== undefined ? `${d.speedKmh.toFixed(0)} km/h` : '—'}`,
    `${t('dwg.map.battery')}: ${d.battery !== undefined ? `${d.battery}%` : '—'}`,
    `<a href="#/playback?device=${encodeURIComponent(d.id)}">${t('dwg.map.playback')}</a>`,
  ];
  return rows.join('<br/>');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * 实时地图: zones, routes (coloured by today's coverage), sites and every device in the caller's scope. Markers are
 * circle markers on one canvas, moved in place as stream events arrive (batched per animation frame), so 5,000
 * devices stay smooth. No tiles unless configured.
 */
export function LiveMap() {
  const translate = useTranslate();
  const navigate = useNavigate();
  const el = useRef<HTMLDivElement>(null);
  const mapRef = useRef<L.Map | null>(null);
  const groups = useRef<Record<keyof Layers, L.LayerGroup> | null>(null);
  const markers = useRef(new Map<string, L.CircleMarker>());
  const state = useRef(new Map<string, LiveDevice>());
  const [layers, setLayers] = useState<Layers>({
    zones: true,
    routes: true,
    sites: true,
    vehicles: true,
    workers: true,
  });
  const [counts, setCounts] = useState<Record<DeviceStatus, number>>({
    working: 0,
    idle: 0,
    offline: 0,
    alarm: 0,
  });
  const [stream, setStream] = useState<'connecting' | 'open' | 'down'>('connecting');
  const [snapshotFailed, setSnapshotFailed] = useState(false);
  const [total, setTotal] = useState(0);
  const t = (k: string) => translate(k.startsWith('dwg.') ? k : `dwg.${k}`);

  useEffect(() => {
    if (!el.current) return;
    const map = createBaseMap(el.current);
    mapRef.current = map;
    const renderer = L.canvas({ padding: 0.5 });
    groups.current = {
      zones: L.layerGroup().addTo(map),
      routes: L.layerGroup().addTo(map),
      sites: L.layerGroup().addTo(map),
      vehicles: L.layerGroup().addTo(map),
      workers: L.layerGroup().addTo(map),
    };
    const g = groups.current;
    let disposed = false;
    let pending: Record<string, unknown>[] = [];
    let frame = 0;
    let moves = 0;
    window.__dwgLive = {
      get moves() {
        return moves;
      },
      positions: () => Object.fromEntries([...state.current.values()].map((d) => [d.id, [d.lat, d.lng]])),
      pointOf: (id: string) => {
        const m = markers.current.get(id);
        if (!m) return null;
        const p = map.latLngToContainerPoint(m.getLatLng());
        return [p.x, p.y];
      },
    };

    const draw = (ids: string[]) => {
      const now = Date.now();
      for (const id of ids) {
        const d = state.current.get(id);
        if (!d) continue;
        const color = STATUS_COLORS[deviceStatus(d, now)];
        let m = markers.current.get(id);
        if (!m) {
          m = L.circleMarker([d.lat, d.lng], {
            renderer,
            radius: d.kind === 'badge' ? 3 : 5,
            color: '#fff',
            weight: 1,
            fillColor: color,
            fillOpacity: 0.95,
          });
          m.on('click', () => {
            const cur = state.current.get(id);
            if (cur) m!.bindPopup(popupHtml(cur, t, Date.now())).openPopup();
          });
          m.addTo(d.kind === 'badge' ? g.workers : g.vehicles);
          markers.current.set(id, m);
        } else {
          const ll = m.getLatLng();
          if (ll.lat !== d.lat || ll.lng !== d.lng) {
            m.setLatLng([d.lat, d.lng]);
            moves++;
          }
          if (m.options.fillColor !== color) m.setStyle({ fillColor: color });
        }
      }
    };
    let shown = -1;
    const flush = () => {
      frame = 0;
      const batch = pending;
      pending = [];
      const changed = mergeLive(state.current, batch);
      draw(changed);
      // A new device changes the count at once; statuses are recounted by the timer below.
      if (state.current.size !== shown) {
        shown = state.current.size;
        setTotal(shown);
        setCounts(countByStatus(state.current.values(), Date.now()));
      }
    };
    const enqueue = (items: Record<string, unknown>[]) => {
      pending.push(...items);
      if (!frame) frame = requestAnimationFrame(flush);
    };

    // Static layers.
    void (async () => {
      const [zones, routes, sites] = await Promise.all(
        ['zones', 'routes', 'sites'].map((r) => dataProvider.getAll(r).catch(() => [])),
      );
      if (disposed) return;
      const bounds = L.latLngBounds([]);
      for (const z of zones) {
        const geo = geometryOf(z);
        if (!geo) continue;
        const layer = L.geoJSON(geo, {
          style: {
            color: '#78909c',
            weight: z.level === 'grid' ? 1 : 2,
            fillOpacity: 0.04,
            dashArray: z.level === 'grid' ? '3' : undefined,
          },
        }).bindTooltip(String(z.name ?? z.id));
        layer.addTo(g.zones);
        bounds.extend(layer.getBounds());
      }
      const routeLayers = new Map<string, { layer: L.GeoJSON; name: string }>();
      const colourRoute = (l: L.GeoJSON, name: string, c: number | undefined) =>
        l
          .setStyle({ color: coverageColor(c), weight: 5, opacity: 0.85 })
          .bindTooltip(`${name} · ${t('map.coverageToday')} ${formatRate(c)}`);
      for (const r of routes) {
        const geo = geometryOf(r);
        if (!geo) continue;
        const layer = L.geoJSON(geo);
        colourRoute(layer, String(r.name ?? r.id), undefined).addTo(g.routes);
        routeLayers.set(String(r.id), { layer, name: String(r.name ?? r.id) });
      }
      // Today's coverage colours the routes when the tasks arrive (a slower query than the layers).
      void dataProvider
        .getAll('tasks', { day: serviceDayOf(Date.now()), kind: 'route' })
        .then(coverageByRoute)
        .then((coverage) => {
          if (disposed) return;
          for (const [id, { layer, name }] of routeLayers) colourRoute(layer, name, coverage.get(id));
        })
        .catch(() => undefined);
      for (const s of sites) {
        const geo = geometryOf(s);
        if (!geo) continue;
        L.geoJSON(geo, {
          style: { color: '#43a047', weight: 1, fillOpacity: 0.2 },
          pointToLayer: (_f, ll) =>
            L.circleMarker(ll, { renderer, radius: 3, color: '#5d4037', weight: 1, fillOpacity: 0.6 }),
        })
          .bindTooltip(String(s.name ?? s.id))
          .addTo(g.sites);
      }
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
      // The layers are pixels on the canvas: say they are drawn (tests and screenshots wait for it).
      map.getContainer().dataset.layers = 'drawn';
    })();

    // Devices: snapshot, then the stream.
    let stop = () => undefined as void;
    void dataProvider
      .get('/api/live/snapshot')
      .then((body) => {
        if (disposed) return;
        enqueue(liveItemsOf(body));
        stop = openLiveStream(enqueue, (s) => setStream(s));
      })
      .catch(() => setSnapshotFailed(true));

    // Status changes with time alone (offline after silence): recolour and recount every few seconds.
    const timer = setInterval(() => {
      draw([...state.current.keys()]);
      setCounts(countByStatus(state.current.values(), Date.now()));
      setTotal(state.current.size);
    }, 3000);

    return () => {
      disposed = true;
      stop();
      clearInterval(timer);
      if (frame) cancelAnimationFrame(frame);
      map.remove();
      markers.current.clear();
      state.current.clear();
      delete window.__dwgLive;
    };
    // The map is created once; translations in popups are read at click time.
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    const g = groups.current;
    if (!map || !g) return;
    for (const [k, on] of Object.entries(layers) as [keyof Layers, boolean][]) {
      if (on && !map.hasLayer(g[k])) g[k].addTo(map);
      if (!on && map.hasLayer(g[k])) g[k].remove();
    }
  }, [layers]);

  return (
    <Box sx={{ position: 'relative', height: 'calc(100vh - 64px)' }}>
      <Title title="dwg.menu.map" />
      <Box ref={el} className="dwg-map" data-testid="live-map" sx={{ position: 'absolute', inset: 0 }} />
      <Paper
        sx={{ position: 'absolute', top: 8, right: 8, zIndex: 1000, p: 1.5, maxWidth: 280 }}
        elevation={3}
      >
        <Typography variant="subtitle2">
          {t('map.live')} · {t('map.devices')} <span data-testid="live-count">{total}</span>
        </Typography>
        <Stack className="dwg-legend" sx={{ my: 1 }} data-testid="live-legend">
          {(Object.keys(STATUS_COLORS) as DeviceStatus[]).map((s) => (
            <Typography key={s} variant="body2" data-testid={`live-status-${s}`}>
              <span style={{ background: STATUS_COLORS[s] }} />
              {t(`status.${s}`)} {counts[s]}
            </Typography>
          ))}
        </Stack>
        <Stack>
          {(Object.keys(layers) as (keyof Layers)[]).map((k) => (
            <FormControlLabel
              key={k}
              control={
                <Checkbox
                  size="small"
                  checked={layers[k]}
                  onChange={(e) => setLayers({ ...layers, [k]: e.target.checked })}
                />
              }
              label={t(`map.${k}`)}
            />
          ))}
        </Stack>
        {snapshotFailed && <Alert severity="info">{t('map.noSnapshot')}</Alert>}
        {!snapshotFailed && stream !== 'open' && (
          <Alert severity={stream === 'down' ? 'warning' : 'info'}>
            {t(stream === 'down' ? 'map.streamDown' : 'map.connecting')}
          </Alert>
        )}
        <Typography
          variant="caption"
          component="div"
          sx={{ cursor: 'pointer', mt: 1 }}
          onClick={() => navigate('/playback')}
        >
          ▶ {t('map.playback')}
        </Typography>
      </Paper>
    </Box>
  );
}
