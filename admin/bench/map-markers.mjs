// npm run bench:map: how the live map's approach (circle markers on one canvas, moved in place) holds 5,000
// devices in Debian's Chromium, against Leaflet's default SVG markers measured in the same browser. Prints the mean
// and p95 time of one full update (every marker moved, then two animation frames) and the ratio.
//   node admin/bench/map-markers.mjs [--markers 5000] [--updates 30]
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const markers = arg('markers', 5000);
const updates = arg('updates', 30);
const profileDir = mkdtempSync(join(tmpdir(), 'dwg-bench-'));
const context = await chromium.launchPersistentContext(profileDir, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
  ],
  viewport: { width: 1280, height: 800 },
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.setContent('<div id="m" style="width:1280px;height:800px"></div>');
  await page.addStyleTag({ path: require.resolve('leaflet/dist/leaflet.css') });
  await page.addScriptTag({ path: require.resolve('leaflet/dist/leaflet.js') });
  const run = (canvas) =>
    page.evaluate(
      async ({ canvas, markers, updates }) => {
        /* global L, document, requestAnimationFrame, performance */
        document.getElementById('m').remove();
        const el = document.createElement('div');
        el.id = 'm';
        el.style.cssText = 'width:1280px;height:800px';
        document.body.appendChild(el);
        const map = L.map(el, { preferCanvas: canvas, center: [23.16, 113.27], zoom: 14 });
        const renderer = canvas ? L.canvas({ padding: 0.5 }) : L.svg();
        // A deterministic walk: the same positions for both renderers.
        let seed = 42;
        const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
        const pos = Array.from({ length: markers }, () => [23.14 + rnd() * 0.04, 113.25 + rnd() * 0.04]);
        const ms = pos.map((p) =>
          L.circleMarker(p, {
            renderer,
            radius: 4,
            color: '#fff',
            weight: 1,
            fillColor: '#2e7d32',
            fillOpacity: 0.9,
          }).addTo(map),
        );
        const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
        await frame();
        const times = [];
        for (let u = 0; u < updates; u++) {
          const t0 = performance.now();
          for (let i = 0; i < ms.length; i++) {
            pos[i][0] += (rnd() - 0.5) * 0.0002;
            pos[i][1] += (rnd() - 0.5) * 0.0002;
            ms[i].setLatLng(pos[i]);
            if (i % 50 === u % 50) ms[i].setStyle({ fillColor: u % 2 ? '#f9a825' : '#2e7d32' });
          }
          await frame();
          await frame();
          times.push(performance.now() - t0);
        }
        map.remove();
        times.sort((a, b) => a - b);
        return {
          mean: times.reduce((a, b) => a + b, 0) / times.length,
          p95: times[Math.floor(times.length * 0.95) - 1] ?? times[times.length - 1],
        };
      },
      { canvas, markers, updates },
    );
  const canvas = await run(true);
  const svg = await run(false);
  const f = (x) => x.toFixed(1).padStart(8);
  process.stdout.write(
    [
      `markers ${markers}, updates ${updates} (every marker moved per update, then two animation frames)`,
      `renderer   mean ms   p95 ms`,
      `canvas   ${f(canvas.mean)} ${f(canvas.p95)}`,
      `svg      ${f(svg.mean)} ${f(svg.p95)}   (baseline: Leaflet's default renderer)`,
      `ratio svg/canvas (mean): ${(svg.mean / canvas.mean).toFixed(2)}`,
      '',
    ].join('\n'),
  );
} finally {
  await context.close();
  rmSync(profileDir, { recursive: true, force: true });
}
