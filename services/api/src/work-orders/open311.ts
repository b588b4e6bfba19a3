import { XMLBuilder } from 'fast-xml-parser';
import type { WorkOrderState } from '@dwg/contracts';
import { OPEN_STATES, WORK_ORDER_CATEGORIES } from '@dwg/contracts';

/**
 * Open311 GeoReport v2 views of categories and work orders (https://wiki.open311.org/GeoReport_v2): states map
 * onto open/closed, and status_notes says what the platform's own state means. Pure: the controller only picks
 * the format.
 */
export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime';
  keywords: string;
  group: string;
}

export function open311Services(): Open311Service[] {
  return WORK_ORDER_CATEGORIES.filter((c) => !c.fromAlarm).map((c) => ({
    service_code: c.code,
    service_name: `${c.nameZh} ${c.name}`,
    description: `${c.name}; handled within ${c.dueMin} working minutes`,
    metadata: false,
    type: 'realtime',
    keywords: c.code.replace(/_/g, ','),
    group: c.serviceLine ?? 'alarm',
  }));
}

export function open311ServiceDefinition(code: string) {
  return WORK_ORDER_CATEGORIES.some((c) => c.code === code && !c.fromAlarm)
    ? { service_code: code, attributes: [] as unknown[] }
    : null;
}

const NOTES: Record<WorkOrderState, string> = {
  reported: 'Received.',
  screening: 'Received; waiting for a dispatcher to assign it.',
  dispatched: 'Assigned to the responsible team.',
  accepted: 'Accepted by the responsible team.',
  in_progress: 'Being handled.',
  resolved: 'Handled; waiting for verification.',
  closed: 'Verified and closed.',
  rejected: 'Rejected.',
  merged: 'Merged into another report of the same problem.',
};

export interface OrderView {
  _id: string;
  category: string;
  description: string;
  state: WorkOrderState;
  location: { lng: number; lat: number };
  address?: string | null;
  reportedAt: string;
  updatedAt: string | Date;
  dueAt?: string | null;
  fixed?: boolean | null;
  rejectReason?: string | null;
  mergedInto?: string | null;
  agencyName?: string | null;
  teamName?: string | null;
  mediaUrl?: string | null;
}

export function open311Status(state: WorkOrderState): 'open' | 'closed' {
  return OPEN_STATES.includes(state) ? 'open' : 'closed';
}

export function open311Request(o: OrderView) {
  const cat = WORK_ORDER_CATEGORIES.find((c) => c.code === o.category);
  let notes = NOTES[o.state];
  if (o.state === 'closed') notes += o.fixed ? ' The problem was fixed.' : ' The problem was not fixed.';
  if (o.state === 'rejected' && o.rejectReason) notes += ` Reason: ${o.rejectReason}`;
  if (o.state === 'merged' && o.mergedInto) notes += ` See request ${o.mergedInto}.`;
  return {
    service_request_id: o._id,
    status: open311Status(o.state),
    status_notes: notes,
    service_name: cat ? `${cat.nameZh} ${cat.name}` : o.category,
    service_code: o.category,
    description: o.description,
    agency_responsible: o.agencyName ?? '',
    service_notice: o.teamName ? `Handled by ${o.teamName}` : '',
    requested_datetime: o.reportedAt,
    updated_datetime: new Date(o.updatedAt).toISOString(),
    expected_datetime: o.dueAt ?? '',
    address: o.address ?? '',
    address_id: '',
    zipcode: '',
    lat: o.location.lat,
    long: o.location.lng,
    media_url: o.mediaUrl ?? '',
  };
}

export interface Open311Problem {
  code: number;
  description: string;
}

/** Validates a POST body (form fields are strings); returns the problems or the parsed report. */
export function parseOpen311Post(body: Record<string, unknown>):
  | { ok: false; problems: Open311Problem[] }
  | {
      ok: true;
      report: {
        category: string;
        lng: number;
        lat: number;
        description: string;
        address: string | null;
        mediaUrl: string | null;
        contact: { email?: string; name?: string; phone?: string; deviceId?: string };
      };
    } {
  const s = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
  const problems: Open311Problem[] = [];
  if (!s('service_code')) problems.push({ code: 400, description: 'service_code is required' });
  const lat = Number(s('lat'));
  const lng = Number(s('long'));
  const hasPoint = s('lat') !== '' && s('long') !== '';
  if (!hasPoint)
    problems.push({
      code: 400,
      description: 'lat and long are required (this endpoint places reports by point)',
    });
  else if (!(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180))
    problems.push({ code: 400, description: 'lat must be within -90..90 and long within -180..180' });
  if (s('description').length > 4000)
    problems.push({ code: 400, description: 'description is longer than 4000 characters' });
  if (problems.length) return { ok: false, problems };
  const name = [s('first_name'), s('last_name')].filter(Boolean).join(' ');
  return {
    ok: true,
    report: {
      category: s('service_code'),
      lng,
      lat,
      description: s('description'),
      address: s('address_string') || null,
      mediaUrl: s('media_url') || null,
      contact: {
        ...(s('email') ? { email: s('email') } : {}),
        ...(name ? { name } : {}),
        ...(s('phone') ? { phone: s('phone') } : {}),
        ...(s('device_id') ? { deviceId: s('device_id') } : {}),
      },
    },
  };
}

const builder = new XMLBuilder({ ignoreAttributes: false, format: false, suppressEmptyNode: false });

/** GeoReport v2 XML: a root element holding one child element per item. */
export function toXml(root: string, item: string, rows: object[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build({ [root]: { [item]: rows } })}`;
}

/** A single XML document from one object (service definitions). */
export function toXmlDoc(doc: object): string {
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build(doc)}`;
}
