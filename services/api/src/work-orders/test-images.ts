/**
 * Small real images for tests: a JPEG (optionally with an EXIF capture time and GPS position), a PNG and a HEIC
 * `ftyp` header. Built byte by byte so the tests need no image files or tools.
 */
function u16(n: number) {
  return [n & 0xff, (n >> 8) & 0xff];
}
function u32(n: number) {
  return [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
}

/** Little-endian TIFF with IFD0 → Exif IFD (DateTimeOriginal) and GPS IFD (lat/lng as degrees, minutes, seconds). */
function tiff(takenAt?: string, pos?: { lng: number; lat: number }): number[] {
  const out: number[] = [0x49, 0x49, 0x2a, 0x00, ...u32(8)];
  const entries0 = (takenAt ? 1 : 0) + (pos ? 1 : 0);
  const ifd0Size = 2 + entries0 * 12 + 4;
  let next = 8 + ifd0Size;
  const exifAt = next;
  const exifSize = takenAt ? 2 + 12 + 4 + 20 : 0;
  next += exifSize;
  const gpsAt = next;
  const ifd0: number[] = [...u16(entries0)];
  if (takenAt) ifd0.push(...u16(0x8769), ...u16(4), ...u32(1), ...u32(exifAt));
  if (pos) ifd0.push(...u16(0x8825), ...u16(4), ...u32(1), ...u32(gpsAt));
  ifd0.push(...u32(0));
  out.push(...ifd0);
  if (takenAt) {
    const s = `${takenAt}\0`;
    out.push(...u16(1), ...u16(0x9003), ...u16(2), ...u32(20), ...u32(exifAt + 2 + 12 + 4), ...u32(0));
    for (const ch of s) out.push(ch.charCodeAt(0));
  }
  if (pos) {
    const dataAt = gpsAt + 2 + 4 * 12 + 4;
    const dms = (v: number) => {
      const a = Math.abs(v);
      const d = Math.floor(a);
      const m = Math.floor((a - d) * 60);
      const s = Math.round(((a - d) * 60 - m) * 60 * 10000);
      return [...u32(d), ...u32(1), ...u32(m), ...u32(1), ...u32(s), ...u32(10000)];
    };
    const ref = (c: string) => [c.charCodeAt(0), 0, 0, 0];
    out.push(...u16(4));
    out.push(...u16(1), ...u16(2), ...u32(2), ...ref(pos.lat >= 0 ? 'N' : 'S'));
    out.push(...u16(2), ...u16(5), ...u32(3), ...u32(dataAt));
    out.push(...u16(3), ...u16(2), ...u32(2), ...ref(pos.lng >= 0 ? 'E' : 'W'));
    out.push(...u16(4), ...u16(5), ...u32(3), ...u32(dataAt + 24));
    out.push(...u32(0));
    out.push(...dms(pos.lat), ...dms(pos.lng));
  }
  return out;
}

/** A JPEG: SOI, optional APP1 Exif, a comment, EOI. Decoders would want scan data; sniffers and EXIF readers do not. */
export function testJpeg(exif: { takenAt?: string; pos?: { lng: number; lat: number } } = {}): Buffer {
  const bytes: number[] = [0xff, 0xd8];
  if (exif.takenAt || exif.pos) {
    const body = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff(exif.takenAt, exif.pos)];
    bytes.push(0xff, 0xe1, ((body.length + 2) >> 8) & 0xff, (body.length + 2) & 0xff, ...body);
  }
  const note = Buffer.from('dawuguan test photo');
  bytes.push(0xff, 0xfe, 0, note.length + 2, ...note, 0xff, 0xd9);
  return Buffer.from(bytes);
}

export function testPng(): Buffer {
  return Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
}

export function testHeic(): Buffer {
  return Buffer.from([0, 0, 0, 24, ...Buffer.from('ftypheic'), 0, 0, 0, 0, ...Buffer.from('mif1heic')]);
}
