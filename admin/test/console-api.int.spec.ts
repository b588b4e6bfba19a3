import { ADMIN, ApiHarness } from '../../services/api/test/harness';
import { createAuthProvider } from '../src/lib/authProvider';
import { createDataProvider } from '../src/lib/dataProvider';
import { ApiError } from '../src/lib/errors';
import { ApiClient } from '../src/lib/http';
import { MemoryStorage, TokenStore } from '../src/lib/tokens';

/** The console's HTTP client, data provider and auth provider against the real api (built, on FerretDB). */
describe('console providers against the api', () => {
  const h = new ApiHarness();
  let store: TokenStore;
  let client: ApiClient;
  let data: ReturnType<typeof createDataProvider>;
  let auth: ReturnType<typeof createAuthProvider>;

  beforeAll(async () => {
    await h.setup('console_api');
    store = new TokenStore(new MemoryStorage());
    client = new ApiClient(h.api.url, store);
    data = createDataProvider(client);
    auth = createAuthProvider(client);
  });
  afterAll(() => h.teardown());

  it('logs in and answers identity and permissions from the session', async () => {
    await auth.login({ username: ADMIN.username, password: ADMIN.password });
    await expect(auth.checkAuth()).resolves.toBeUndefined();
    expect(await auth.getPermissions()).toBe('admin');
    expect(await auth.getIdentity()).toMatchObject({ fullName: ADMIN.username, role: 'admin' });
    expect(await auth.canAccess({ resource: 'contracts', action: 'edit' })).toBe(true);
  });

  it('refuses a wrong password with the api message', async () => {
    const other = new ApiClient(h.api.url, new TokenStore(new MemoryStorage()));
    const err = await other.login(ADMIN.username, 'wrong password').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect((err as ApiError).message).toBe('invalid username or password');
  });

  it('pages, sorts and counts lists through Content-Range', async () => {
    for (const code of ['op-a', 'op-b', 'op-c'])
      await data.create('operators', { data: { code, name: `运营 ${code}` } });
    const page1 = await data.getList('operators', {
      pagination: { page: 1, perPage: 2 },
      sort: { field: 'code', order: 'DESC' },
      filter: { q: 'op-' },
    });
    expect(page1.total).toBe(3);
    expect(page1.data.map((r) => r.code)).toEqual(['op-c', 'op-b']);
    const page2 = await data.getList('operators', {
      pagination: { page: 2, perPage: 2 },
      sort: { field: 'code', order: 'DESC' },
      filter: { q: 'op-' },
    });
    expect(page2.data.map((r) => r.code)).toEqual(['op-a']);
    const many = await data.getMany('operators', { ids: page1.data.map((r) => r.id) });
    expect(many.data.map((r) => r.code).sort()).toEqual(['op-b', 'op-c']);
  });

  it('puts validation messages on the fields of the form', async () => {
    const err = await data
      .create('agencies', { data: { code: 'ag-x', name: 'x', level: 'planet' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect(Object.keys((err as ApiError).body.errors ?? {})).toEqual(['level']);
  });

  it('updates with the whole record react-admin sends, writing only what changed', async () => {
    const { data: created } = await data.create('operators', { data: { code: 'op-u', name: 'before' } });
    const { data: got } = await data.getOne('operators', { id: created.id });
    const { data: updated } = await data.update('operators', {
      id: got.id,
      data: { ...got, name: 'after', contact: '' },
      previousData: got,
    });
    expect(updated).toMatchObject({ id: got.id, code: 'op-u', name: 'after' });
    expect(updated.contact ?? null).toBeNull();
  });

  it('refreshes a refused access token once and repeats the request', async () => {
    const before = store.get()!;
    store.set({ ...before, accessToken: 'not-a-token' });
    const { total } = await data.getList('operators', { pagination: { page: 1, perPage: 1 } });
    expect(total).toBeGreaterThan(0);
    expect(store.get()!.accessToken).not.toBe('not-a-token');
  });

  it('refreshes ahead of expiry, one refresh for concurrent requests', async () => {
    let refreshes = 0;
    const counting = (input: string, init?: RequestInit) => {
      if (input.endsWith('/api/auth/refresh')) refreshes++;
      return fetch(input, init);
    };
    // A client whose clock is an hour ahead sees the access token about to expire.
    const later = new ApiClient(h.api.url, store, counting, () => Date.now() + 3_600_000);
    const results = await Promise.all([1, 2, 3].map(() => later.request('/api/auth/me')));
    expect(results.map((r) => (r.json as { username: string }).username)).toEqual([
      ADMIN.username,
      ADMIN.username,
      ADMIN.username,
    ]);
    expect(refreshes).toBe(1);
    expect(store.get()!.expiresAt).toBeGreaterThan(Date.now() + 3_600_000);
  });

  it('ends the session when the refresh token is refused', async () => {
    const s = store.get()!;
    store.set({ ...s, accessToken: 'bad', refreshToken: 'bad' });
    const err = await data.getList('operators', {}).catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(401);
    expect(store.get()).toBeNull();
    await expect(auth.checkAuth()).rejects.toThrow('not logged in');
    await expect(auth.checkError({ status: 401 })).rejects.toThrow('session expired');
  });
});
