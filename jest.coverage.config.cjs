// `pnpm test:coverage`: the unit and integration projects in one run, with V8 coverage of every
// package's sources (files no test loads count as uncovered) and a floor that can only rise.
// Kept apart from jest.config.cjs so that running a few files (or the Run Tests page's per-project
// coverage) is not held to the whole suite's floor.
const base = require('./jest.config.cjs');

module.exports = {
  ...base,
  coverageProvider: 'v8',
  collectCoverageFrom: ['{services/*,web,viz,serve}/src/**/*.ts', '!**/*.d.ts'],
  coverageDirectory: '<rootDir>/coverage',
  coverageReporters: ['text-summary', 'json-summary', 'html'],
  // The floor: raise it when coverage rises, never lower it to let a change in. Set on 2026-12-04
  // from the whole run (89 suites, 1,069 tests passing, 9 min 51 s): statements 95.43 %, branches
  // 87.78 %, functions 95.48 %, lines 95.43 %, each rounded down.
  coverageThreshold: { global: { statements: 95, branches: 87, functions: 95, lines: 95 } },
};
