/* global window */
// Development default; admin/serve.mjs answers /config.js with the real values.
window.__DWG_CONFIG__ = window.__DWG_CONFIG__ || {};
