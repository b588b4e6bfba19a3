import { demoUser } from './stack';
import { env } from './browser';

/** Direct api calls the tests make to find their fixtures (which device, which contract) and to check results. */
export async function apiToken(username: string): Promise<string> {
  const u = demoUser(username);
  const res = await fetch(`${env('API_URL')}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: u.username, password: u.password }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

export async function apiGet<T = unknown>(
  token: string,
  path: string,
  query: Record<string, unknown> = {},
): Promise<T> {
  const qs = new URLSearchParams(
    Object.fromEntries(
      Object.entries(query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ),
  );
  const res = await fetch(`${env('API_URL')}${path}${qs.size ? `?${qs}` : ''}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
