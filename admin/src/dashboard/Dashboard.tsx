import { useEffect, useState } from 'react';
import { Box, Card, CardContent, Grid, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { Title, useGetList, useTranslate } from 'react-admin';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { dataProvider } from '../services';
import {
  KPI_CARDS,
  countBy,
  lastDays,
  normaliseKpis,
  normaliseRanking,
  type KpiView,
  type RankingRow,
} from '../lib/kpi';
import { formatRate } from '../lib/coverage';

const LINE_COLORS = ['#1565c0', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f', '#c62828'];

interface Loaded<T> {
  data: T | null;
  failed: boolean;
  loading: boolean;
}

function useApi<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, failed: false, loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, failed: false, loading: false }),
      () => live && setState({ data: null, failed: true, loading: false }),
    );
    return () => {
      live = false;
    };
  }, deps);
  return state;
}

/** 一网统管: the KPI cards, trends, per-zone ranking, open alarms and work orders by state, for a contract and dates. */
export function Dashboard() {
  const translate = useTranslate();
  const { data: contracts } = useGetList('contracts', {
    pagination: { page: 1, perPage: 100 },
    sort: { field: 'code', order: 'ASC' },
  });
  const [contractId, setContractId] = useState('');
  const [range, setRange] = useState(lastDays(14));
  useEffect(() => {
    if (!contractId && contracts?.length) setContractId(String(contracts[0].id));
  }, [contracts, contractId]);
  const q = { contractId: contractId || undefined, from: range.from, to: range.to };
  const kpis = useApi<KpiView>(
    async () => normaliseKpis(await dataProvider.get('/api/kpis', { ...q, granularity: 'day' })),
    [contractId, range.from, range.to],
  );
  const ranking = useApi<RankingRow[]>(
    async () =>
      normaliseRanking(await dataProvider.get('/api/kpis/ranking', { ...q, metric: 'routeCoverageRate' })),
    [contractId, range.from, range.to],
  );
  const alarms = useApi(
    async () =>
      (
        await dataProvider.getList('alarms', {
          pagination: { page: 1, perPage: 500 },
          filter: { contractId: contractId || undefined },
        })
      ).data,
    [contractId],
  );
  const workOrders = useApi(
    async () =>
      (
        await dataProvider.getList('work-orders', {
          pagination: { page: 1, perPage: 500 },
          filter: { contractId: contractId || undefined },
        })
      ).data,
    [contractId],
  );
  const openAlarms = (alarms.data ?? []).filter((a) => a.status !== 'closed');
  // While a panel loads it says so (data-state="loading"), so "no data" means the api answered nothing or refused.
  const status = (l: Loaded<unknown>) => (
    <Typography color="text.secondary" variant="body2" data-state={l.loading ? 'loading' : 'empty'}>
      {translate(l.loading ? 'dwg.kpi.loading' : 'dwg.kpi.unavailable')}
    </Typography>
  );

  return (
    <Box sx={{ p: 2 }} data-testid="dashboard">
      <Title title="dwg.menu.dashboard" />
      <Stack direction="row" spacing={2} sx={{ mb: 2 }}>
        <TextField
          select
          size="small"
          label={translate('dwg.kpi.contract')}
          value={contractId}
          onChange={(e) => setContractId(e.target.value)}
          sx={{ minWidth: 240 }}
          data-testid="dashboard-contract"
        >
          {(contracts ?? []).map((c) => (
            <MenuItem key={c.id} value={String(c.id)}>
              {c.code} {c.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          size="small"
          type="date"
          label={translate('dwg.kpi.from')}
          value={range.from}
          onChange={(e) => setRange({ ...range, from: e.target.value })}
          slotProps={{ inputLabel: { shrink: true } }}
        />
        <TextField
          size="small"
          type="date"
          label={translate('dwg.kpi.to')}
          value={range.to}
          onChange={(e) => setRange({ ...range, to: e.target.value })}
          slotProps={{ inputLabel: { shrink: true } }}
        />
      </Stack>
      <Grid container spacing={2}>
        {KPI_CARDS.map((k) => (
          <Grid key={k} size={{ xs: 6, md: 4, lg: 2 }}>
            <Card data-testid={`kpi-${k}`}>
              <CardContent>
                <Typography variant="body2" color="text.secondary">
                  {translate(`dwg.kpi.${k}`)}
                </Typography>
                <Typography variant="h4">{formatRate(kpis.data?.totals[k])}</Typography>
              </CardContent>
            </Card>
          </Grid>
        ))}
        <Grid size={{ xs: 12, lg: 8 }}>
          <Card>
            <CardContent>
              <Typography variant="subtitle1">{translate('dwg.kpi.trend')}</Typography>
              {kpis.data?.series.length ? (
                <ResponsiveContainer width="100%" height={280}>
                  <LineChart data={kpis.data.series}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="date" />
                    <YAxis domain={[0, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
                    <Tooltip formatter={(v) => formatRate(Number(v))} />
                    <Legend />
                    {KPI_CARDS.map((k, i) => (
                      <Line
                        key={k}
                        type="monotone"
                        dataKey={k}
                        name={translate(`dwg.kpi.${k}`)}
                        stroke={LINE_COLORS[i]}
                        dot={false}
                      />
                    ))}
                  </LineChart>
                </ResponsiveContainer>
              ) : (
                status(kpis)
              )}
            </CardContent>
          </Card>
        </Grid>
        <Grid size={{ xs: 12, lg: 4 }}>
          <Card>
            <CardContent>
              <Typography variant="subtitle1">{translate('dwg.kpi.ranking')}</Typography>
              {ranking.data?.length ? (
                <ResponsiveContainer width="100%" height={280}>
                  <BarChart data={ranking.data.slice(0, 12)} layout="vertical" margin={{ left: 40 }}>
                    <XAxis
                      type="number"
                      domain={[0, 1]}
                      tickFormatter={(v: number) => `${Math.round(v * 100)}%`}
                    />
                    <YAxis type="category" dataKey="name" width={100} />
                    <Tooltip formatter={(v) => formatRate(Number(v))} />
                    <Bar dataKey="value" fill="#2e7d32" />
                  </BarChart>
                </ResponsiveContainer>
              ) : (
                status(ranking)
              )}
            </CardContent>
          </Card>
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <Card>
            <CardContent>
              <Typography variant="subtitle1">
                {translate('dwg.kpi.openAlarms')}: {alarms.data ? openAlarms.length : '—'}
              </Typography>
              {alarms.data && !openAlarms.length ? (
                <Typography color="text.secondary" variant="body2" data-state="empty">
                  {translate('dwg.kpi.noOpenAlarms')}
                </Typography>
              ) : alarms.data ? (
                <ResponsiveContainer width="100%" height={200}>
                  <BarChart
                    data={countBy(openAlarms, 'type').map((r) => ({
                      ...r,
                      name: translate(`enums.alarmType.${r.name}`, { _: r.name }),
                    }))}
                  >
                    <XAxis dataKey="name" />
                    <YAxis allowDecimals={false} />
                    <Tooltip />
                    <Bar dataKey="count" fill="#d32f2f" />
                  </BarChart>
                </ResponsiveContainer>
              ) : (
                status(alarms)
              )}
            </CardContent>
          </Card>
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <Card>
            <CardContent>
              <Typography variant="subtitle1">{translate('dwg.kpi.workOrdersByState')}</Typography>
              {workOrders.data && !workOrders.data.length ? (
                <Typography color="text.secondary" variant="body2" data-state="empty">
                  {translate('dwg.kpi.noWorkOrders')}
                </Typography>
              ) : workOrders.data ? (
                <ResponsiveContainer width="100%" height={200}>
                  <BarChart
                    data={countBy(workOrders.data, 'state').map((r) => ({
                      ...r,
                      name: translate(`dwg.workOrders.state.${r.name}`, { _: r.name }),
                    }))}
                  >
                    <XAxis dataKey="name" />
                    <YAxis allowDecimals={false} />
                    <Tooltip />
                    <Bar dataKey="count" fill="#1565c0" />
                  </BarChart>
                </ResponsiveContainer>
              ) : (
                status(workOrders)
              )}
            </CardContent>
          </Card>
        </Grid>
      </Grid>
    </Box>
  );
}
