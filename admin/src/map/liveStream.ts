import { api, config } from '../services';
import { liveItemsOf } from '../lib/live';

/**
 * The stream's events that carry device items: `position` ({positions}) and `status` ({statuses}). `alarm` carries
 * an alarm document (its `id` is no device) and is left out: the next position of the device carries its alarm
 * count; `ready` and `bye` carry nothing to draw.
 */
const EVENTS = ['position', 'status'];

/**
 * Subscribes to `GET /api/live/stream` (SSE). EventSource cannot send headers, so a short-lived ticket from
 * `POST /api/live/ticket` goes in `?access_token=` (good only for opening a stream, so a URL that leaks is worth
 * little); on an error the stream is reopened with a fresh ticket.
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
    const token = await api
      .request<{ ticket: string }>('/api/live/ticket', { method: 'POST', json: {} })
      .then((r) => r.json.ticket)
      .catch(() => api.accessToken().catch(() => null));
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
