/**
 * Runtime configuration. The static server (admin/serve.mjs) writes `window.__DWG_CONFIG__` in /config.js, so one
 * build serves any API address; Vite's env variables are the fallback for `vite dev`.
 */
export interface ConsoleConfig {
  /** Base URL of the api without the /api prefix; '' means the same origin. */
  apiUrl: string;
  /** Optional raster tile URL template ({z}/{x}/{y}); empty = no external tiles (works offline). */
  tileUrl: string;
  tileAttribution: string;
}

declare global {
  interface Window {
    __DWG_CONFIG__?: Partial<ConsoleConfig>;
  }
}

export function readConfig(
  win: { __DWG_CONFIG__?: Partial<ConsoleConfig> } | undefined,
  env: Record<string, string | undefined>,
): ConsoleConfig {
  const injected = win?.__DWG_CONFIG__ ?? {};
  const apiUrl = (injected.apiUrl ?? env.VITE_API_URL ?? '').replace(/\/+$/, '');
  return {
    apiUrl,
    tileUrl: injected.tileUrl ?? env.VITE_TILE_URL ?? '',
    tileAttribution: injected.tileAttribution ?? env.VITE_TILE_ATTRIBUTION ?? '',
  };
}
