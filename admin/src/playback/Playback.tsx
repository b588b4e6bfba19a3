import { useEffect, useMemo, useRef, useState } from 'react';
import L from 'leaflet';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  MenuItem,
  Paper,
  Slider,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { Title, useGetList, useNotify, useTranslate } from 'react-admin';
import { useSearchParams } from 'react-router-dom';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { createBaseMap } from '../map/baseMap';
import { dataProvider } from '../services';
import { PLAYBACK_SPEEDS, advance, normaliseTrack, positionAt, spanOf, type Track } from '../lib/playback';

const TRACK_COLORS = ['#1565c0', '#c62828', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f', '#ad1457', '#4e342e'];

function localInput(t: number): string {
  const d = new Date(t - new Date().getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/**
 * 轨迹回放: one device, or every device of a team, over a time range; one clock drives all markers at the chosen
 * speed, follow mode keeps the (first) marker in view, stops are marked, and the speed chart follows the clock.
 */
export function Playback() {
  const translate = useTranslate();
  const notify = useNotify();
  const [params] = useSearchParams();
  const now = Date.now();
  const [mode, setMode] = useState<'device' | 'team'>(params.get('team') ? 'team' : 'device');
  const [deviceId, setDeviceId] = useState(params.get('device') ?? '');
  const [teamId, setTeamId] = useState(params.get('team') ?? '');
  const [from, setFrom] = useState(
    params.get('from') ? localInput(Date.parse(params.get('from')!)) : localInput(now - 2 * 3_600_000),
  );
  const [to, setTo] = useState(
    params.get('to') ? localInput(Date.parse(params.get('to')!)) : localInput(now),
  );
  const [tracks, setTracks] = useState<Track[]>([]);
  const [clock, setClock] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<number>(60);
  const [follow, setFollow] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const el = useRef<HTMLDivElement>(null);
  const mapRef = useRef<L.Map | null>(null);
  const layerRef = useRef<L.LayerGroup | null>(null);
  const markersRef = useRef<L.CircleMarker[]>([]);
  const { data: devices } = useGetList('devices', {
    pagination: { page: 1, perPage: 500 },
    sort: { field: 'id', order: 'ASC' },
  });
  const { data: teams } = useGetList('teams', {
    pagination: { page: 1, perPage: 500 },
    sort: { field: 'name', order: 'ASC' },
  });
  const { data: vehicles } = useGetList(
    'vehicles',
    { pagination: { page: 1, perPage: 500 } },
    { enabled: mode === 'team' },
  );
  const { data: workers } = useGetList(
    'workers',
    { pagination: { page: 1, perPage: 500 }, filter: teamId ? { teamId } : {} },
    { enabled: mode === 'team' && !!teamId },
  );
  const span = useMemo(() => spanOf(tracks), [tracks]);

  useEffect(() => {
    if (!el.current) return;
    const map = createBaseMap(el.current);
    mapRef.current = map;
    layerRef.current = L.layerGroup().addTo(map);
    return () => {
      map.remove();
    };
  }, []);

  /** Devices of a team: the badges of its workers and the GPS of its vehicles. */
  const teamDevices = (): string[] => {
    const vIds = new Set((vehicles ?? []).filter((v) => v.teamId === teamId).map((v) => String(v.id)));
    const wIds = new Set((workers ?? []).map((w) => String(w.id)));
    return (devices ?? [])
      .filter(
        (d) => (d.vehicleId && vIds.has(String(d.vehicleId))) || (d.workerId && wIds.has(String(d.workerId))),
      )
      .map((d) => String(d.id));
  };

  const load = async () => {
    const ids = mode === 'device' ? [deviceId].filter(Boolean) : teamDevices();
    const q = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    try {
      const loadedTracks = await Promise.all(
        ids.map(async (id) =>
          normaliseTrack(id, await dataProvider.get(`/api/tracks/${encodeURIComponent(id)}`, q)),
        ),
      );
      setTracks(loadedTracks);
      setLoaded(true);
      const s = spanOf(loadedTracks);
      setClock(s?.start ?? 0);
      setPlaying(false);
      draw(loadedTracks);
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  };

  const draw = (ts: Track[]) => {
    const map = mapRef.current;
    const layer = layerRef.current;
    if (!map || !layer) return;
    layer.clearLayers();
    markersRef.current = [];
    const bounds = L.latLngBounds([]);
    ts.forEach((tr, i) => {
      const color = TRACK_COLORS[i % TRACK_COLORS.length];
      if (!tr.points.length) return;
      const line = L.polyline(
        tr.points.map((p) => [p.lat, p.lng] as L.LatLngTuple),
        { color, weight: 3, opacity: 0.7 },
      ).addTo(layer);
      bounds.extend(line.getBounds());
      for (const s of tr.stops) {
        L.circleMarker([s.lat, s.lng], {
          radius: 7,
          color: '#000',
          weight: 1,
          fillColor: '#ffeb3b',
          fillOpacity: 0.9,
        })
          .bindTooltip(
            `${tr.deviceId}: ${translate('dwg.playback.stop', { minutes: Math.round(s.durationS / 60) })} (${new Date(s.start).toLocaleTimeString()})`,
          )
          .addTo(layer);
      }
      markersRef.current.push(
        L.circleMarker([tr.points[0].lat, tr.points[0].lng], {
          radius: 8,
          color: '#fff',
          weight: 2,
          fillColor: color,
          fillOpacity: 1,
        })
          .bindTooltip(tr.deviceId)
          .addTo(layer),
      );
    });
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
  };

  // The clock: real time × speed.
  useEffect(() => {
    if (!playing || !span) return;
    let last = performance.now();
    let raf = 0;
    const step = (t: number) => {
      const dt = t - last;
      last = t;
      setClock((c) => {
        const next = advance(c, dt, speed, span.end);
        if (next >= span.end) setPlaying(false);
        return next;
      });
      raf = requestAnimationFrame(step);
    };
    raf = requestAnimationFrame(step);
    return () => cancelAnimationFrame(raf);
  }, [playing, speed, span]);

  // Markers follow the clock.
  useEffect(() => {
    tracks.forEach((tr, i) => {
      const m = markersRef.current[i];
      const p = positionAt(tr.points, clock);
      if (m && p) m.setLatLng([p.lat, p.lng]);
    });
    const first = markersRef.current[0];
    if (follow && playing && first && mapRef.current)
      mapRef.current.panTo(first.getLatLng(), { animate: false });
  }, [clock, tracks, follow, playing]);

  const chart = tracks[0]?.points.map((p) => ({ ts: p.ts, spd: Math.round((p.spd ?? 0) * 10) / 10 })) ?? [];
  const noPoints = loaded && tracks.every((t) => !t.points.length);

  return (
    <Box sx={{ p: 1 }}>
      <Title title="dwg.menu.playback" />
      <Stack direction="row" spacing={1} sx={{ mb: 1, flexWrap: 'wrap' }} useFlexGap>
        <TextField
          select
          size="small"
          value={mode}
          onChange={(e) => setMode(e.target.value as 'device' | 'team')}
          sx={{ minWidth: 100 }}
        >
          <MenuItem value="device">{translate('dwg.playback.device')}</MenuItem>
          <MenuItem value="team">{translate('dwg.playback.team')}</MenuItem>
        </TextField>
        {mode === 'device' ? (
          <TextField
            select
            size="small"
            label={translate('dwg.playback.device')}
            value={deviceId}
            onChange={(e) => setDeviceId(e.target.value)}
            sx={{ minWidth: 200 }}
            data-testid="playback-device"
          >
            {(devices ?? []).map((d) => (
              <MenuItem key={d.id} value={String(d.id)}>
                {d.id} {d.label ? `· ${d.label}` : ''}
              </MenuItem>
            ))}
          </TextField>
        ) : (
          <TextField
            select
            size="small"
            label={translate('dwg.playback.team')}
            value={teamId}
            onChange={(e) => setTeamId(e.target.value)}
            sx={{ minWidth: 200 }}
          >
            {(teams ?? []).map((t) => (
              <MenuItem key={t.id} value={String(t.id)}>
                {t.name}
              </MenuItem>
            ))}
          </TextField>
        )}
        <TextField
          size="small"
          type="datetime-local"
          label={translate('dwg.playback.from')}
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          slotProps={{ inputLabel: { shrink: true } }}
        />
        <TextField
          size="small"
          type="datetime-local"
          label={translate('dwg.playback.to')}
          value={to}
          onChange={(e) => setTo(e.target.value)}
          slotProps={{ inputLabel: { shrink: true } }}
        />
        <Button variant="contained" onClick={load} data-testid="playback-load">
          {translate('dwg.playback.load')}
        </Button>
        <Button variant="outlined" disabled={!span} onClick={() => setPlaying(!playing)}>
          {translate(playing ? 'dwg.playback.pause' : 'dwg.playback.play')}
        </Button>
        <TextField
          select
          size="small"
          label={translate('dwg.playback.speed')}
          value={speed}
          onChange={(e) => setSpeed(Number(e.target.value))}
          sx={{ minWidth: 90 }}
        >
          {PLAYBACK_SPEEDS.map((s) => (
            <MenuItem key={s} value={s}>
              {s}×
            </MenuItem>
          ))}
        </TextField>
        <FormControlLabel
          control={<Checkbox checked={follow} onChange={(e) => setFollow(e.target.checked)} />}
          label={translate('dwg.playback.follow')}
        />
      </Stack>
      {noPoints && <Alert severity="info">{translate('dwg.playback.noPoints')}</Alert>}
      <Stack direction={{ xs: 'column', lg: 'row' }} spacing={1}>
        <Box
          ref={el}
          className="dwg-map"
          data-testid="playback-map"
          sx={{ flex: 2, height: 'calc(100vh - 220px)', minHeight: 400 }}
        />
        <Paper sx={{ flex: 1, p: 1, minWidth: 320 }}>
          <Typography variant="subtitle2">{translate('dwg.playback.speedChart')}</Typography>
          <ResponsiveContainer width="100%" height={240}>
            <LineChart data={chart}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis
                dataKey="ts"
                type="number"
                domain={['dataMin', 'dataMax']}
                tickFormatter={(v: number) => new Date(v).toLocaleTimeString().slice(0, 5)}
              />
              <YAxis />
              <Tooltip labelFormatter={(v) => new Date(Number(v)).toLocaleTimeString()} />
              <Line dataKey="spd" dot={false} stroke="#1565c0" isAnimationActive={false} />
              {span && <ReferenceLine x={clock} stroke="#d32f2f" />}
            </LineChart>
          </ResponsiveContainer>
          {span && (
            <>
              <Slider
                min={span.start}
                max={span.end}
                value={clock}
                onChange={(_e, v) => setClock(v as number)}
              />
              <Typography variant="body2">{new Date(clock).toLocaleString()}</Typography>
            </>
          )}
          <Typography variant="subtitle2" sx={{ mt: 1 }}>
            {translate('dwg.playback.stops')}
          </Typography>
          {tracks.flatMap((tr) =>
            tr.stops.map((s) => (
              <Typography
                key={`${tr.deviceId}-${s.start}`}
                variant="body2"
                sx={{ cursor: 'pointer' }}
                onClick={() => setClock(s.start)}
              >
                {tr.deviceId} · {new Date(s.start).toLocaleTimeString()} ·{' '}
                {translate('dwg.playback.stop', { minutes: Math.round(s.durationS / 60) })}
              </Typography>
            )),
          )}
        </Paper>
      </Stack>
    </Box>
  );
}
