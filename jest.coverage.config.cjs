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
  // The floor: raise it when coverage rises, never lower it to let a change in. Provisional, set on
  // 2026-12-04 from the unit project alone on a machine too loaded to finish the whole run: statements
  // and lines at the unit run's 62.31 % (their totals are fixed, so the whole run covers at least as
  // much); branches and functions at what the unit run's covered counts (3,453 branches, 721
  // functions) give over an upper bound of their totals (16,127 and 2,346), because V8 counts the
  // branches and functions of a file only once a test loads it, so those percentages can fall as
  // tests are added. Replace all four by the whole run's figures, rounded down.
  coverageThreshold: { global: { statements: 62, branches: 21, functions: 30, lines: 62 } },
};
