// Unit tests run anywhere; integration tests need the local stack that test/global-setup starts
// (FerretDB, Redis and Mosquitto on the test profile's own ports and data folders).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const moduleNameMapper = {
  '^@dwg/(contracts|config|persistence|device-registry|testing)$': '<rootDir>/services/libs/$1/src',
  '^@dwg/device-sim$': '<rootDir>/device-sim/src',
  '^@dwg/local-stack$': '<rootDir>/infra/local-stack/src',
};

const common = {
  transform: { '^.+\\.tsx?$': swc },
  moduleNameMapper,
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/', '<rootDir>/.data/', '<rootDir>/.tools/'],
};

// The console (admin/): component and logic tests in jsdom, and end-to-end tests in Debian's Chromium against a
// stack the e2e global setup starts. Specs under admin/e2e/pending/ need endpoints of other issues; they run with
// `npm run test:e2e -- --pending` and move to admin/e2e/specs/ once they pass.
const swcTsx = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', tsx: true },
      transform: { react: { runtime: 'automatic' } },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const e2e = {
  ...common,
  transform: { '^.+\\.tsx?$': swcTsx },
  globalSetup: '<rootDir>/admin/e2e/global-setup.ts',
  globalTeardown: '<rootDir>/admin/e2e/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/admin/e2e/timeout.ts'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'admin',
      transform: { '^.+\\.(t|j)sx?$': swcTsx },
      transformIgnorePatterns: ['/node_modules/(?!(@turf|react-hotkeys-hook)/)'],
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/admin/src/**/*.test.ts?(x)'],
      moduleNameMapper: { ...moduleNameMapper, '\\.css$': '<rootDir>/admin/test/style-stub.js' },
    },
    { ...e2e, displayName: 'e2e', testMatch: ['<rootDir>/admin/e2e/specs/*.e2e.ts'] },
    { ...e2e, displayName: 'e2e-pending', testMatch: ['<rootDir>/admin/e2e/pending/*.e2e.ts'] },
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/src/**/*.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/services/libs/testing/src/unit-timeout.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/test/**/*.int.spec.ts'],
      globalSetup: '<rootDir>/services/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/services/libs/testing/src/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/services/libs/testing/src/integration-timeout.ts'],
    },
  ],
};
