// The database tables this package owns: only its code writes them (others read through it).
// services/core/test/table-owners.test.ts holds every package to its list.
export const OWN_TABLES: readonly string[] = ['test_runs'];
