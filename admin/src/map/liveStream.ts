import { api, config } from '../services';
import { liveItemsOf } from '../lib/live';

/** Event names the live stream may use; every one carries live items (one or many). */
const EVENTS = [
  'message',
  'position',
  'positions',
  'status',
  'alarm',
  'device',
  'devices',
  'snapshot',
  'live',
];

/**
 * Subscribes to `GET /api/live/stream` (SSE). EventSource cannot send headers, so the access token goes in
 * `?access_token=`; on an error the stream is reopened with a fresh token (the old one may have expired).
 */
export function openLiveStream(
  onItems: (items: Record<string, unknown>[]) => void,
  onState: (s: 'open' | 'down') => void,
): () => void {
  let es: EventSource | null = null;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | null = null;
  const connect = async () => {
    if (closed) return;
    const token = await api.accessToken().catch(() => null);
    if (closed) return;
    es = new EventSource(`${config.apiUrl}/api/live/stream?access_token=${encodeURIComponent(token ?? '')}`);
    es.onopen = () => onState('open');
    const handler = (ev: MessageEvent) => {
      try {
        onItems(liveItemsOf(JSON.parse(ev.data)));
      } catch {
        // a comment or a malformed line: nothing to draw
      }
    };
    for (const name of EVENTS) es.addEventListener(name, handler as EventListener);
    es.onerror = () => {
      onState('down');
      es?.close();
      if (!closed) retry = setTimeout(connect, 3000);
    };
  };
  void connect();
  return () => {
    closed = true;
    if (retry) clearTimeout(retry);
    es?.close();
  };
}
