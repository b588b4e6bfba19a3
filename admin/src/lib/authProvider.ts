import type { ApiClient } from './http';
import { canAccess } from './permissions';

/**
 * react-admin auth provider over the api's JWT login: the session (tokens + user) lives in the TokenStore, the
 * ApiClient refreshes the access token, and a refused refresh logs the user out.
 */
export function createAuthProvider(api: ApiClient) {
  return {
    async login({ username, password }: { username: string; password: string }) {
      await api.login(username, password);
    },
    async logout() {
      api.store.clear();
    },
    async checkAuth() {
      if (!api.store.get()) throw new Error('not logged in');
    },
    async checkError(error: { status?: number }) {
      if (error?.status === 401) {
        const s = await api.refresh();
        if (!s) {
          api.store.clear();
          throw new Error('session expired');
        }
      }
      // 403 is a refused action, not a lost session: keep the user logged in and let the page say so.
    },
    async getIdentity() {
      const s = api.store.get();
      if (!s) throw new Error('not logged in');
      return {
        id: s.user.id,
        fullName: s.user.displayName || s.user.username,
        role: s.user.role,
        operatorId: s.user.operatorId,
        agencyId: s.user.agencyId,
      };
    },
    async getPermissions() {
      return api.store.get()?.user.role ?? null;
    },
    async canAccess({ resource, action }: { resource: string; action: string }) {
      return canAccess(api.store.get()?.user.role, resource, action);
    },
  };
}
