import { open311Request, open311Services, open311Status, parseOpen311Post, toXml } from './open311';

describe('Open311 mapping', () => {
  const order = {
    _id: 'wo-1',
    category: 'litter',
    description: 'bags on the pavement',
    state: 'closed' as const,
    location: { lng: 113.26, lat: 23.15 },
    reportedAt: '2026-03-02T01:00:00.000Z',
    updatedAt: '2026-03-02T02:00:00.000Z',
    fixed: true,
  };
  it('maps every state onto open or closed with a note', () => {
    expect(open311Status('screening')).toBe('open');
    expect(open311Status('resolved')).toBe('open');
    expect(open311Status('rejected')).toBe('closed');
    expect(open311Status('merged')).toBe('closed');
    const r = open311Request(order);
    expect(r).toMatchObject({
      service_request_id: 'wo-1',
      status: 'closed',
      status_notes: 'Verified and closed. The problem was fixed.',
      service_code: 'litter',
      lat: 23.15,
      long: 113.26,
      requested_datetime: '2026-03-02T01:00:00.000Z',
      updated_datetime: '2026-03-02T02:00:00.000Z',
    });
    expect(open311Request({ ...order, state: 'merged', mergedInto: 'wo-0' }).status_notes).toContain('wo-0');
  });
  it('lists only reportable services', () => {
    const codes = open311Services().map((s) => s.service_code);
    expect(codes).toContain('illegal_ad');
    expect(codes).not.toContain('sos');
  });
  it('validates a POST and says what to fix', () => {
    expect(parseOpen311Post({ lat: '23.1' })).toEqual({
      ok: false,
      problems: [
        { code: 400, description: 'service_code is required' },
        { code: 400, description: 'lat and long are required (this endpoint places reports by point)' },
      ],
    });
    const ok = parseOpen311Post({ service_code: 'litter', lat: '23.15', long: '113.26', email: 'a@b.cn' });
    expect(ok).toMatchObject({
      ok: true,
      report: { category: 'litter', lat: 23.15, lng: 113.26, contact: { email: 'a@b.cn' } },
    });
  });
  it('writes GeoReport XML', () => {
    expect(toXml('service_requests', 'request', [{ service_request_id: 'wo-1', status: 'open' }])).toBe(
      '<?xml version="1.0" encoding="utf-8"?><service_requests><request><service_request_id>wo-1</service_request_id><status>open</status></request></service_requests>',
    );
  });
});
