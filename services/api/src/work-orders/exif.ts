import exifr from 'exifr';
import type { PhotoExif } from './photos';

/** EXIF times carry no zone unless OffsetTime* is present; cameras here are set to China time. */
const DEFAULT_OFFSET = '+08:00';

function exifTime(raw: unknown, offset: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(raw);
  if (!m) return null;
  const off = typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : DEFAULT_OFFSET;
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${off}`);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** EXIF capture time and GPS position when the image has them; never throws (a photo without EXIF is normal). */
export async function readExif(buffer: Buffer): Promise<PhotoExif> {
  const none: PhotoExif = { takenAt: null, lng: null, lat: null };
  try {
    const t = (await exifr.parse(buffer, { reviveValues: false, gps: true, tiff: true, exif: true })) as
      Record<string, unknown> | undefined;
    if (!t) return none;
    const gps = (await exifr.gps(buffer).catch(() => undefined)) as
      { latitude?: number; longitude?: number } | undefined;
    const lat = typeof gps?.latitude === 'number' && Number.isFinite(gps.latitude) ? gps.latitude : null;
    const lng = typeof gps?.longitude === 'number' && Number.isFinite(gps.longitude) ? gps.longitude : null;
    return {
      takenAt:
        exifTime(t.DateTimeOriginal, t.OffsetTimeOriginal) ?? exifTime(t.CreateDate, t.OffsetTimeDigitized),
      lng,
      lat,
    };
  } catch {
    return none;
  }
}
