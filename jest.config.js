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

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/**/src/**/*.spec.ts'] },
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
