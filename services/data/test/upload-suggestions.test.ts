import { IDENTIFIER_ID_NOTE, IDENTIFIER_TEXT_NOTE, suggestColumn, typeHint } from '../src/index.js';

const names = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

describe('suggestColumn', () => {
  it('suggests a text column with almost every value different as an identifier, saying why', () => {
    const c = suggestColumn(
      'Name',
      0,
      names(40, (i) => `Passenger ${i}`),
    );
    expect(c).toEqual({ header: 'Name', name: 'Name', type: 'text', role: 'identifier', note: IDENTIFIER_TEXT_NOTE });
  });

  it('uses the dataset page rule: more than half the sample rows and more than 20 different values', () => {
    // Ticket-like: 30 different in 40 rows; Cabin-like: mostly missing; a few categories; too few rows to tell.
    expect(
      suggestColumn(
        'Ticket',
        0,
        names(40, (i) => `T${i % 30}`),
      ).role,
    ).toBe('identifier');
    expect(
      suggestColumn(
        'Cabin',
        0,
        names(100, (i) => (i < 25 ? `C${i}` : '')),
      ).role,
    ).toBe('feature');
    expect(
      suggestColumn(
        'Embarked',
        0,
        names(100, (i) => 'SCQ'[i % 3]),
      ).role,
    ).toBe('feature');
    expect(
      suggestColumn(
        'Name',
        0,
        names(20, (i) => `P${i}`),
      ),
    ).toEqual({ header: 'Name', name: 'Name', type: 'text', role: 'feature' });
  });

  it.each(['id', 'ID', 'PassengerId', 'user_id', 'customer id', 'rowID'])(
    'suggests an all-different integer column named %j as an identifier',
    (header) => {
      const c = suggestColumn(
        header,
        0,
        names(10, (i) => String(100 + i)),
      );
      expect(c.role).toBe('identifier');
      expect(c.note).toBe(IDENTIFIER_ID_NOTE);
    },
  );

  it.each([
    ['a name not ending in the word id', 'paid', names(10, (i) => String(i))],
    ['a name in capitals ending in ID by chance', 'PAID', names(10, (i) => String(i))],
    ['repeated values', 'PassengerId', names(10, (i) => String(i % 5))],
    ['decimals', 'user_id', names(10, (i) => `${i}.5`)],
  ])('keeps %s a feature', (_what, header, values) => {
    expect(suggestColumn(header, 0, values)).toEqual(expect.objectContaining({ role: 'feature' }));
    expect(suggestColumn(header, 0, values).note).toBeUndefined();
  });

  it('infers dates', () => {
    expect(suggestColumn('when', 0, ['2024-03-01', '2024-03-02T10:00:00']).type).toBe('date');
  });
});

describe('typeHint', () => {
  it('names the next wider type that holds a refused value', () => {
    expect(typeHint('3.5', 'integer')).toBe(
      'choose the type "decimal" for this column, or correct the value in the file',
    );
    expect(typeHint('three', 'integer')).toBe(
      'choose the type "text" for this column (its values become categories), or correct the value in the file',
    );
    expect(typeHint('maybe', 'boolean')).toMatch(/^choose the type "text"/);
    expect(typeHint('soon', 'date')).toMatch(/^choose the type "text"/);
  });
  it('says when no type holds the value', () => {
    expect(typeHint('x'.repeat(300), 'text')).toMatch(/^values longer than 255 characters cannot be stored/);
    expect(typeHint('x'.repeat(300), 'integer')).toMatch(/^no column type holds/);
  });
});
