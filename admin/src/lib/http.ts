import { apiErrorOf } from './errors';
import { sessionFromTokens, type Session, type TokenStore } from './tokens';

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  json: T;
}

export interface RequestOptions {
  method?: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  body?: BodyInit;
  /** Return the raw Response (downloads). */
  raw?: boolean;
  signal?: AbortSignal;
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Access tokens are refreshed this long before they expire, so a request never starts with a stale one. */
const REFRESH_MARGIN_MS = 30_000;

/**
 * The console's one HTTP client: adds the bearer token, refreshes it with the refresh token when it is about to
 * expire or the api answers 401 (once per request; concurrent requests share one refresh), and turns error
 * answers into ApiError with the api's messages.
 */
export class ApiClient {
  private refreshing: Promise<Session | null> | null = null;

  constructor(
    readonly apiUrl: string,
    readonly store: TokenStore,
    private readonly fetchFn: FetchLike = (i, init) => fetch(i, init),
    private readonly now: () => number = Date.now,
  ) {}

  url(path: string, query?: RequestOptions['query']): string {
    const qs = query
      ? Object.entries(query)
          .filter(([, v]) => v !== undefined && v !== '')
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
          .join('&')
      : '';
    return `${this.apiUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  async login(username: string, password: string): Promise<Session> {
    const res = await this.fetchFn(this.url('/api/auth/login'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = await readBody(res);
    if (!res.ok) throw apiErrorOf(res.status, body, res.statusText);
    const s = sessionFromTokens(body as Parameters<typeof sessionFromTokens>[0], this.now());
    this.store.set(s);
    return s;
  }

  /** One refresh at a time; null when the refresh token is gone or refused (the user must log in again). */
  refresh(): Promise<Session | null> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<Session | null> {
    const s = this.store.get();
    if (!s?.refreshToken) return null;
    const res = await this.fetchFn(this.url('/api/auth/refresh'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    });
    if (!res.ok) {
      this.store.clear();
      return null;
    }
    const body = (await readBody(res)) as Parameters<typeof sessionFromTokens>[0];
    const next = sessionFromTokens({ ...body, user: body.user ?? s.user }, this.now());
    this.store.set(next);
    return next;
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async accessToken(): Promise<string | null> {
    let s = this.store.get();
    if (!s) return null;
    if (s.expiresAt - REFRESH_MARGIN_MS <= this.now()) s = await this.refresh();
    return s?.accessToken ?? null;
  }

  async request<T = unknown>(path: string, opts: RequestOptions = {}): Promise<HttpResult<T>> {
    const send = async (token: string | null) => {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (token) headers.Authorization = `Bearer ${token}`;
      let body = opts.body;
      if (opts.json !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(opts.json);
      }
      return this.fetchFn(this.url(path, opts.query), {
        method: opts.method ?? 'GET',
        headers,
        body,
        signal: opts.signal,
      });
    };
    let res = await send(await this.accessToken());
    if (res.status === 401 && this.store.get()?.refreshToken) {
      const s = await this.refresh();
      if (s) res = await send(s.accessToken);
    }
    if (!res.ok) throw apiErrorOf(res.status, await readBody(res), res.statusText);
    if (opts.raw) return { status: res.status, headers: res.headers, json: res as unknown as T };
    return { status: res.status, headers: res.headers, json: (await readBody(res)) as T };
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
