import { readExif } from './exif';
import { checkCloseOut, photoProblems, presenceFromLastFixes, sniffImage } from './photos';
import { testHeic, testJpeg, testPng } from './test-images';

describe('photo content checks', () => {
  it('recognises JPEG, PNG and HEIC by content, whatever the name', () => {
    expect(sniffImage(testJpeg())).toBe('image/jpeg');
    expect(sniffImage(testPng())).toBe('image/png');
    expect(sniffImage(testHeic())).toBe('image/heic');
    expect(sniffImage(Buffer.from('%PDF-1.7 not an image'))).toBeNull();
    expect(sniffImage(Buffer.from([0, 0, 0, 24, ...Buffer.from('ftypisom'), 0, 0, 0, 0]))).toBeNull();
  });

  it('names each refused file and the count limits', () => {
    const pdf = { originalname: 'photo.jpg', size: 20, buffer: Buffer.from('%PDF-1.7 not an image') };
    const ok = { originalname: 'a.png', size: 16, buffer: testPng() };
    expect(photoProblems([ok, pdf], 1, 9)).toEqual([
      'photos: "photo.jpg" is not a JPEG, PNG or HEIC image (checked by content)',
    ]);
    expect(photoProblems([], 1, 9)).toEqual(['photos: at least 1 photo required']);
    expect(photoProblems(Array(10).fill(ok), 1, 9)).toEqual(['photos: at most 9 photos']);
  });

  it('reads EXIF capture time (China time) and GPS position', async () => {
    const jpeg = testJpeg({ takenAt: '2026:03:02 09:15:00', pos: { lng: 113.2612, lat: 23.1534 } });
    const e = await readExif(jpeg);
    expect(e.takenAt).toBe('2026-03-02T01:15:00.000Z');
    expect(e.lng).toBeCloseTo(113.2612, 4);
    expect(e.lat).toBeCloseTo(23.1534, 4);
    expect(await readExif(testJpeg())).toEqual({ takenAt: null, lng: null, lat: null });
  });
});

describe('close-out checks', () => {
  const location = { lng: 113.26, lat: 23.15 };
  const base = { location, dispatchedAt: '2026-03-02T01:00:00.000Z', maxDistanceM: 100 };
  it('passes a photo taken after dispatch at the place, with a badge nearby', () => {
    const r = checkCloseOut({
      ...base,
      photos: [{ takenAt: '2026-03-02T01:30:00.000Z', lng: 113.2601, lat: 23.1501 }],
      badgeFixes: [{ deviceId: 'b1', ts: '2026-03-02T01:20:00.000Z', lng: 113.2602, lat: 23.15 }],
    });
    expect(r.ok).toBe(true);
    expect(r.evidence).toMatchObject({ timeSource: 'exif', badgeFixes: 1 });
    expect(r.evidence.nearestBadgeM).toBeLessThan(30);
  });
  it('flags a photo taken before dispatch or far away, and badges that never came near', () => {
    const r = checkCloseOut({
      ...base,
      photos: [{ takenAt: '2026-03-01T23:00:00.000Z', lng: 113.27, lat: 23.15 }],
      badgeFixes: [{ deviceId: 'b1', ts: '2026-03-02T01:20:00.000Z', lng: 113.28, lat: 23.15 }],
    });
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(3);
    expect(r.problems[0]).toContain('before dispatch');
    expect(r.problems[1]).toMatch(/taken 10\d\d m from the location/);
    expect(r.problems[2]).toContain('no handler badge came within 100 m');
  });
  it('cannot check what is not there: no EXIF and no badge fixes is not a failure', () => {
    const r = checkCloseOut({ ...base, photos: [{ takenAt: null, lng: null, lat: null }], badgeFixes: [] });
    expect(r).toMatchObject({ ok: true, evidence: { timeSource: 'none', photoDistanceM: null } });
  });
});

describe("presence from the badges' last fixes", () => {
  const base = {
    location: { lng: 113.26, lat: 23.15 },
    dispatchedAt: '2026-03-02T01:00:00.000Z',
    now: new Date('2026-03-02T02:00:00.000Z'),
    maxDistanceM: 100,
  };
  const near = { deviceId: 'b1', ts: '2026-03-02T01:50:00.000Z', lng: 113.2602, lat: 23.15 };
  const far = { deviceId: 'b2', ts: '2026-03-02T01:55:00.000Z', lng: 113.28, lat: 23.15 };
  it('settles the check when a last fix since dispatch is near the place', () => {
    expect(presenceFromLastFixes({ ...base, lastFixes: [near, far] })).toEqual([near, far]);
  });
  it('leaves it to the track when no last fix is near, or the near one predates dispatch', () => {
    expect(presenceFromLastFixes({ ...base, lastFixes: [far] })).toBeNull();
    expect(
      presenceFromLastFixes({ ...base, lastFixes: [{ ...near, ts: '2026-03-02T00:59:00.000Z' }, far] }),
    ).toBeNull();
    expect(presenceFromLastFixes({ ...base, lastFixes: [] })).toBeNull();
  });
});
