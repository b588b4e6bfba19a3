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

export function evidenceLink(e: Evidence): { to: string; label: string } | null {
  const type = e.type ?? e.kind;
  const label = e.label ?? type ?? 'evidence';
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
