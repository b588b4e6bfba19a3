// npm test: installs and builds what is missing, then runs the unit tests, the console's tests, the integration
// tests (which start their own FerretDB, Redis and Mosquitto on the test profile's ports) and the console's
// end-to-end tests (npm run test:e2e alone). Integration suites run one at a time: they start real service
// processes and share the test broker.
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrap, ROOT } from './bootstrap.mjs';

bootstrap();
const jest = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const out = join(ROOT, '.data', 'test-results');
mkdirSync(out, { recursive: true });
const extra = process.argv.slice(2);
let passed = 0;
let failed = 0;
let status = 0;
// The console's end-to-end tests come last: they start their own stack with every service and drive Chromium.
for (const [project, flags] of [
  ['unit', ['--forceExit']],
  ['admin', ['--forceExit']],
  ['integration', ['--runInBand', '--forceExit']],
  ['e2e', ['--runInBand', '--forceExit']],
]) {
  const file = join(out, `${project}.json`);
  const r = spawnSync(
    process.execPath,
    [jest, '--selectProjects', project, ...flags, '--json', `--outputFile=${file}`, ...extra],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  try {
    const res = JSON.parse(readFileSync(file, 'utf8'));
    passed += res.numPassedTests;
    failed += res.numFailedTests + res.numRuntimeErrorTestSuites;
  } catch {
    failed += 1;
  }
  if (r.status !== 0) status = r.status ?? 1;
}
process.stdout.write(`\ntests: ${passed} passed, ${failed} failed\n`);
process.exit(status || (failed ? 1 : 0));
