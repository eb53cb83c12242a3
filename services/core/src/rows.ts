// Reading what a statement was certain to return (the row just inserted or locked, COUNT(*)'s one
// row): with noUncheckedIndexedAccess an index may be undefined, and a row that is not there is a
// broken invariant, said by name rather than as a TypeError further on.

export class MissingRowError extends Error {
  constructor(what: string) {
    super(`expected ${what}, found none`);
    this.name = 'MissingRowError';
  }
}

/** The first row; throws MissingRowError naming `what` when there is none. */
export function firstRow<T>(rows: readonly T[], what: string): T {
  const row = rows[0];
  if (row === undefined) throw new MissingRowError(what);
  return row;
}
