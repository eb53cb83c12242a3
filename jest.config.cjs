// One jest run, two projects: unit tests (no I/O) and integration tests (*.int.test.ts, real MariaDB).
const base = {
  rootDir: __dirname,
  testEnvironment: '<rootDir>/jest.environment.cjs',
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: {
    '^@enchilada/(core|data|jobs|models|ml|users)$': '<rootDir>/services/$1/src/index.ts',
    '^@enchilada/ml/analysis$': '<rootDir>/services/ml/src/analysis/index.ts',
    '^@enchilada/test-support$': '<rootDir>/test-support/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // Dependencies shipped only as ES modules are compiled too (pnpm layout included).
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/[^/]+/node_modules/)?(content-disposition|cookie|typebox)/)'],
};
module.exports = {
  // A real database, scrypt sign-ins and app start-ups: jest's 5 s default for a test or hook is too
  // short on two busy cores (seen: beforeAll hooks timing out at a load average of 12). A global
  // option (projects cannot set it); a test that needs longer still says so itself.
  testTimeout: 60_000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/{services,web,viz,serve,deploy}/**/test/**/*.test.ts'],
      testPathIgnorePatterns: [...base.testPathIgnorePatterns, '\\.int\\.test\\.ts$'],
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/{services,web,viz,serve,deploy}/**/test/**/*.int.test.ts'],
    },
  ],
};
