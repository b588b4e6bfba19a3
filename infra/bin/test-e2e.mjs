// npm run test:e2e: builds what is missing, then runs the console's end-to-end tests in Debian's Chromium against a
// test-profile stack that the e2e jest project starts (every service, the demo seed, the simulator, the console)
// and stops. `-- --pending` runs the specs that wait for endpoints of other issues (admin/e2e/pending/);
// `--screenshots` (npm run screenshots) renders docs/screenshots/ with the same setup.
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, ROOT } from './bootstrap.mjs';

bootstrap();
const args = process.argv.slice(2);
const jest = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const out = join(ROOT, '.data', 'test-results');
mkdirSync(out, { recursive: true });
let project = 'e2e';
let extra = args.filter((a) => a !== '--pending' && a !== '--screenshots');
if (args.includes('--pending')) project = 'e2e-pending';
if (args.includes('--screenshots')) {
  project = 'e2e-pending';
  extra = ['--testPathPatterns', 'screenshots', ...extra];
}
const file = join(out, `${project}.json`);
const r = spawnSync(
  process.execPath,
  [
    jest,
    '--selectProjects',
    project,
    '--runInBand',
    '--forceExit',
    '--json',
    `--outputFile=${file}`,
    ...extra,
  ],
  { cwd: ROOT, stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
try {
  const res = JSON.parse(readFileSync(file, 'utf8'));
  passed = res.numPassedTests;
  failed = res.numFailedTests + res.numRuntimeErrorTestSuites;
} catch {
  failed += 1;
}
process.stdout.write(`\ntests: ${passed} passed, ${failed} failed\n`);
process.exit(r.status || (failed ? 1 : 0));
