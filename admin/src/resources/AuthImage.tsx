import { useEffect, useState } from 'react';
import { api } from '../services';

/** An image behind the api's bearer auth (work-order photos): fetched with the token, shown from a blob URL. */
export function AuthImage({ path, alt, size = 120 }: { path: string; alt: string; size?: number }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let url: string | null = null;
    let live = true;
    api
      .request<Response>(path, { raw: true })
      .then(async ({ json }) => {
        const blob = await json.blob();
        if (!live) return;
        url = URL.createObjectURL(blob);
        setSrc(url);
      })
      .catch(() => undefined);
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [path]);
  return src ? (
    <img src={src} alt={alt} style={{ width: size, height: size, objectFit: 'cover', borderRadius: 4 }} />
  ) : (
    <span
      style={{ display: 'inline-block', width: size, height: size, background: '#eee', borderRadius: 4 }}
    />
  );
}

/** Photo ids or objects of a work order, as api paths. */
export function photoPaths(workOrderId: string | number, photos: unknown): string[] {
  if (!Array.isArray(photos)) return [];
  return photos
    .map((p) =>
      typeof p === 'string'
        ? p
        : ((p as { id?: string; photoId?: string })?.id ?? (p as { photoId?: string })?.photoId),
    )
    .filter((id): id is string => typeof id === 'string')
    .map(
      (id) => `/api/work-orders/${encodeURIComponent(String(workOrderId))}/photos/${encodeURIComponent(id)}`,
    );
}
