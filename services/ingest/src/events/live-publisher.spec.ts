import { buildBatch } from '../pipeline/batch';
import { liveBatchOf } from './live-publisher';

const entry = (id: string, topic: string, body: unknown, receivedAt: Date) => ({
  id,
  topic,
  payload: Buffer.from(JSON.stringify(body)),
  receivedAt,
});

describe('live message of a batch', () => {
  const at = new Date('2025-03-03T01:00:00Z');
  const t = at.getTime();

  it('carries the newest fix of each device and the status changes', () => {
    const batch = buildBatch(
      [
        entry(
          '1-0',
          'dwg/v1/veh-1/gps',
          [
            { seq: 1, ts: t - 2000, lat: 23.16, lng: 113.27, spd: 10, hdg: 90, ops: { sweep: true } },
            { seq: 2, ts: t - 1000, lat: 23.161, lng: 113.271, spd: 12, hdg: 90, ign: true },
          ],
          at,
        ),
        entry(
          '2-0',
          'dwg/v1/bdg-1/badge',
          { seq: 5, ts: t - 500, lat: 23.2, lng: 113.3, bat: 70, evt: 'sos' },
          at,
        ),
        entry('3-0', 'dwg/v1/bdg-2/status', { status: 'offline' }, at),
      ],
      60_000,
    );
    const msg = liveBatchOf(batch, t + 5);
    expect(msg).toEqual({
      v: 1,
      publishedAt: t + 5,
      positions: [
        {
          deviceId: 'veh-1',
          kind: 'gps',
          ts: t - 1000,
          receivedAt: t,
          lng: 113.271,
          lat: 23.161,
          spd: 12,
          hdg: 90,
          ign: true,
        },
        {
          deviceId: 'bdg-1',
          kind: 'badge',
          ts: t - 500,
          receivedAt: t,
          lng: 113.3,
          lat: 23.2,
          bat: 70,
          evt: 'sos',
        },
      ],
      statuses: [{ deviceId: 'bdg-2', online: false, at: t }],
    });
  });

  it('is nothing for a batch of dead letters only', () => {
    const batch = buildBatch([entry('1-0', 'dwg/v1/veh-1/gps', { seq: 1 }, at)], 60_000);
    expect(batch.deadLetters).toHaveLength(1);
    expect(liveBatchOf(batch)).toBeNull();
  });
});
