/** Where the console keeps the session: access and refresh tokens and the logged-in user. */
export interface SessionUser {
  id: string;
  username: string;
  role: string;
  displayName?: string;
  operatorId?: string;
  agencyId?: string;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
  user: SessionUser;
}

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const KEY = 'dwg.session';

export class TokenStore {
  constructor(private readonly storage: KeyValueStorage) {}

  get(): Session | null {
    const raw = this.storage.getItem(KEY);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as Session;
    } catch {
      this.storage.removeItem(KEY);
      return null;
    }
  }

  set(s: Session): void {
    this.storage.setItem(KEY, JSON.stringify(s));
  }

  clear(): void {
    this.storage.removeItem(KEY);
  }
}

/** An in-memory storage for tests and for browsers where localStorage is unavailable. */
export class MemoryStorage implements KeyValueStorage {
  private readonly m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
}

/** The login/refresh answer of the api turned into a stored session. */
export function sessionFromTokens(
  body: { accessToken: string; refreshToken: string; expiresIn: number; user: SessionUser },
  now = Date.now(),
): Session {
  return {
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    expiresAt: now + body.expiresIn * 1000,
    user: body.user,
  };
}
