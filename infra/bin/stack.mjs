// npm run stack -- up|down|status [--profile dev|test|bench] [--infra-only]
import { createRequire } from 'node:module';
import { bootstrap, ROOT } from './bootstrap.mjs';

bootstrap();
const require = createRequire(import.meta.url);
const { main } = require(`${ROOT}/infra/local-stack/dist/cli.js`);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  },
);
