import * as turf from '@turf/turf';

/**
 * Photos of a work order: the content decides the type (never the name or the declared type), and a result photo
 * is checked against the order before the close-out is trusted. Pure functions; EXIF parsing is in exif.ts.
 */
export type ImageType = 'image/jpeg' | 'image/png' | 'image/heic';

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

/** Magic numbers: JPEG SOI + marker, the PNG signature, an ISO-BMFF `ftyp` box with a HEIF brand. */
export function sniffImage(b: Uint8Array): ImageType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length >= 8 && png.every((v, i) => b[i] === v)) return 'image/png';
  if (b.length >= 16 && String.fromCharCode(...b.subarray(4, 8)) === 'ftyp') {
    const size = Math.min((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3], b.length);
    // major brand at 8, compatible brands from 16 to the box's end
    for (let o = 8; o + 4 <= Math.max(size, 12); o += o === 8 ? 8 : 4) {
      if (HEIC_BRANDS.has(String.fromCharCode(...b.subarray(o, o + 4)))) return 'image/heic';
    }
  }
  return null;
}

export interface UploadedFile {
  originalname: string;
  size: number;
  buffer: Buffer;
}

export const PHOTO_LIMITS = { maxBytes: 10 * 1024 * 1024, maxReportPhotos: 9, maxResultPhotos: 9 } as const;

/** One message per refused file, naming it; an empty list means every file is an accepted image. */
export function photoProblems(
  files: UploadedFile[],
  min: number,
  max: number,
  maxBytes: number = PHOTO_LIMITS.maxBytes,
): string[] {
  const p: string[] = [];
  if (files.length < min) p.push(`photos: at least ${min} photo${min > 1 ? 's' : ''} required`);
  if (files.length > max) p.push(`photos: at most ${max} photos`);
  for (const f of files) {
    if (f.size > maxBytes) p.push(`photos: "${f.originalname}" is ${f.size} bytes; the limit is ${maxBytes}`);
    else if (!sniffImage(f.buffer))
      p.push(`photos: "${f.originalname}" is not a JPEG, PNG or HEIC image (checked by content)`);
  }
  return p;
}

export interface PhotoExif {
  takenAt: string | null;
  lng: number | null;
  lat: number | null;
}

export interface BadgeFix {
  deviceId: string;
  ts: string;
  lng: number;
  lat: number;
}

export interface CloseOutCheck {
  ok: boolean;
  problems: string[];
  /** What was checked and found, kept with the order for the verifier. */
  evidence: {
    photoTakenAt: string | null;
    timeSource: 'exif' | 'none';
    photoDistanceM: number | null;
    badgeFixes: number;
    nearestBadgeM: number | null;
  };
}

export function distanceM(a: { lng: number; lat: number }, b: { lng: number; lat: number }): number {
  return turf.distance([a.lng, a.lat], [b.lng, b.lat], { units: 'meters' });
}

/**
 * The badges' last fixes (device_state, read by id) that prove presence on their own: taken since dispatch and,
 * for at least one of them, within `maxDistanceM` of the location. Then the badge check passes whatever the rest
 * of the track holds, so the track need not be read; null when they prove nothing (the track decides).
 */
export function presenceFromLastFixes(i: {
  location: { lng: number; lat: number };
  dispatchedAt: string;
  now: Date;
  lastFixes: BadgeFix[];
  maxDistanceM: number;
}): BadgeFix[] | null {
  const from = Date.parse(i.dispatchedAt);
  const since = i.lastFixes.filter((f) => {
    const t = Date.parse(f.ts);
    return t >= from && t <= i.now.getTime();
  });
  return since.some((f) => distanceM(i.location, f) <= i.maxDistanceM) ? since : null;
}

/**
 * Checks a resolve against the order: each result photo must be taken after dispatch (when its EXIF time is
 * known) and within `maxDistanceM` of the location (when its EXIF position is known); when the handlers' badges
 * reported during the handling window, one of them must have come within `maxDistanceM`. A failing check does
 * not block the resolve: it flags the order to the verifier.
 */
export function checkCloseOut(i: {
  location: { lng: number; lat: number };
  dispatchedAt: string | null;
  photos: PhotoExif[];
  badgeFixes: BadgeFix[];
  maxDistanceM: number;
}): CloseOutCheck {
  const problems: string[] = [];
  const dispatched = i.dispatchedAt ? Date.parse(i.dispatchedAt) : null;
  let takenAt: string | null = null;
  let photoDistanceM: number | null = null;
  i.photos.forEach((ph, k) => {
    if (ph.takenAt) {
      takenAt ??= ph.takenAt;
      if (dispatched !== null && Date.parse(ph.takenAt) < dispatched)
        problems.push(
          `result photo ${k + 1} was taken at ${ph.takenAt}, before dispatch at ${i.dispatchedAt}`,
        );
    }
    if (ph.lng !== null && ph.lat !== null) {
      const d = distanceM(i.location, { lng: ph.lng, lat: ph.lat });
      photoDistanceM = photoDistanceM === null ? d : Math.max(photoDistanceM, d);
      if (d > i.maxDistanceM)
        problems.push(
          `result photo ${k + 1} was taken ${Math.round(d)} m from the location (limit ${i.maxDistanceM} m)`,
        );
    }
  });
  let nearestBadgeM: number | null = null;
  for (const f of i.badgeFixes) {
    const d = distanceM(i.location, f);
    if (nearestBadgeM === null || d < nearestBadgeM) nearestBadgeM = d;
  }
  if (nearestBadgeM !== null && nearestBadgeM > i.maxDistanceM)
    problems.push(
      `no handler badge came within ${i.maxDistanceM} m of the location while the order was handled (nearest ${Math.round(nearestBadgeM)} m)`,
    );
  return {
    ok: problems.length === 0,
    problems,
    evidence: {
      photoTakenAt: takenAt,
      timeSource: takenAt ? 'exif' : 'none',
      photoDistanceM: photoDistanceM === null ? null : Math.round(photoDistanceM),
      badgeFixes: i.badgeFixes.length,
      nearestBadgeM: nearestBadgeM === null ? null : Math.round(nearestBadgeM),
    },
  };
}
