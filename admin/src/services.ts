import { createAuthProvider } from './lib/authProvider';
import { readConfig } from './lib/config';
import { createDataProvider } from './lib/dataProvider';
import { ApiClient } from './lib/http';
import { MemoryStorage, TokenStore } from './lib/tokens';

/** The console's singletons: configuration, the HTTP client, and react-admin's providers over it. */
export const config = readConfig(typeof window === 'undefined' ? undefined : window, import.meta.env);

function storage() {
  try {
    return window.localStorage;
  } catch {
    return new MemoryStorage();
  }
}

export const api = new ApiClient(config.apiUrl, new TokenStore(storage()));
export const dataProvider = createDataProvider(api);
export const authProvider = createAuthProvider(api);
