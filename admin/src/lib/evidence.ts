/**
 * Evidence items behind a deduction or a task, as the KPI and evidence engines reference them, turned into a link
 * of the console (drill-down): a track opens playback over its time range, records open their show page.
 */
export interface Evidence {
  type?: string;
  kind?: string;
  id?: string;
  deviceId?: string;
  from?: string;
  to?: string;
  taskId?: string;
  workOrderId?: string;
  alarmId?: string;
  label?: string;
  [k: string]: unknown;
}

/**
 * The api's evidence links of a deduction (`{kind, label, href}`, href an api path: `/api/tasks/:id`,
 * `/api/tracks/:deviceId?from&to[&raw=1]`, `/api/work-orders/:id[/photos/:photoId]`, `/api/alarms/:id`) as the
 * console page that shows the same thing.
 */
function fromHref(href: string, label: string): { to: string; label: string } | null {
  const u = new URL(href, 'http://x');
  const seg = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (seg[0] !== 'api' || !seg[2]) return null;
  if (seg[1] === 'tracks') {
    const q = new URLSearchParams({ device: seg[2] });
    for (const k of ['from', 'to']) {
      const v = u.searchParams.get(k);
      if (v) q.set(k, v);
    }
    return { to: `/playback?${q}`, label };
  }
  if (['tasks', 'work-orders', 'alarms'].includes(seg[1]))
    return { to: `/${seg[1]}/${encodeURIComponent(seg[2])}/show`, label };
  return null;
}

export function evidenceLink(e: Evidence): { to: string; label: string } | null {
  const type = e.type ?? e.kind;
  const label = e.label ?? type ?? 'evidence';
  if (typeof e.href === 'string') return fromHref(e.href, label);
  if ((type === 'track' || type === 'badge') && e.deviceId) {
    const q = new URLSearchParams({ device: e.deviceId });
    if (e.from) q.set('from', e.from);
    if (e.to) q.set('to', e.to);
    return { to: `/playback?${q}`, label };
  }
  const ref: [string, string | undefined][] = [
    ['tasks', e.taskId ?? (type === 'task' ? e.id : undefined)],
    ['work-orders', e.workOrderId ?? (type === 'work-order' || type === 'work_order' ? e.id : undefined)],
    ['alarms', e.alarmId ?? (type === 'alarm' ? e.id : undefined)],
  ];
  for (const [resource, id] of ref)
    if (id) return { to: `/${resource}/${encodeURIComponent(id)}/show`, label };
  return null;
}
