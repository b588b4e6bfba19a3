// Serves the built console (admin/dist) and writes /config.js with the api address, so one build runs against
// any api. Started by the local stack (npm start, npm run stack -- up) as the `admin` process.
//   ADMIN_PORT (default 5173), ADMIN_HOST (127.0.0.1), API_URL (the api's base URL, default same origin),
//   TILE_URL / TILE_ATTRIBUTION (optional raster tiles; none by default so it works offline).
/* global URL */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = join(dirname(fileURLToPath(import.meta.url)), 'dist');
const port = Number(process.env.ADMIN_PORT ?? 5173);
const host = process.env.ADMIN_HOST ?? '127.0.0.1';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

if (!existsSync(join(DIST, 'index.html'))) {
  process.stderr.write(
    `admin/dist/index.html is missing: build the console first (npm run build -w admin)\n`,
  );
  process.exit(78);
}

const config = `window.__DWG_CONFIG__ = ${JSON.stringify({
  apiUrl: process.env.API_URL ?? '',
  tileUrl: process.env.TILE_URL ?? '',
  tileAttribution: process.env.TILE_ATTRIBUTION ?? '',
})};\n`;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/health') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (url.pathname === '/config.js') {
    res.writeHead(200, { 'Content-Type': TYPES['.js'], 'Cache-Control': 'no-store' }).end(config);
    return;
  }
  const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
  let file = join(DIST, rel);
  if (!file.startsWith(DIST + sep) && file !== DIST) {
    res.writeHead(400).end();
    return;
  }
  // Unknown paths get the app (client-side routes); hashed assets are cached for good.
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html');
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  createReadStream(file).pipe(res);
});
server.listen(port, host, () => {
  process.stdout.write(`${JSON.stringify({ msg: 'console listening', url: `http://${host}:${port}` })}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
