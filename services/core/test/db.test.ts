import { quoteIdent, statements } from '../src/index.js';

describe('quoteIdent', () => {
  it('quotes ordinary and Unicode names', () => {
    expect(quoteIdent('iris')).toBe('`iris`');
    expect(quoteIdent('sepal length')).toBe('`sepal length`');
    expect(quoteIdent('größe_ü')).toBe('`größe_ü`');
  });
  it.each(['', 'a`b', "a'b", 'x; DROP TABLE users', 'a"b', 'x'.repeat(65), ' lead', 'new\nline', 'a\\b'])(
    'refuses %j',
    (name) => {
      expect(() => quoteIdent(name)).toThrow(RangeError);
    },
  );
});

describe('statements', () => {
  it('splits a migration at line-ending semicolons and drops comments', () => {
    expect(statements('-- a comment\nCREATE TABLE a (x INT);\n\nINSERT INTO a VALUES (1);\n')).toEqual([
      'CREATE TABLE a (x INT)',
      'INSERT INTO a VALUES (1)',
    ]);
  });
});
