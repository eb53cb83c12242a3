// The preview's target suggestion on tables shaped like the ones newcomers upload: Titanic (Kaggle's
// header, the target second), Palmer penguins (the target first, a year last), and numeric tables.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IDENTIFIER_ID_NOTE, IDENTIFIER_RUN_NOTE, headerWords, suggestPreview, suggestTarget } from '../src/index.js';

const rows = (n: number, f: (i: number) => string[]) => Array.from({ length: n }, (_, i) => f(i + 1));

// Kaggle's Titanic header and value shapes: Name and Ticket nearly all different, Cabin mostly empty.
const TITANIC = [
  'PassengerId',
  'Survived',
  'Pclass',
  'Name',
  'Sex',
  'Age',
  'SibSp',
  'Parch',
  'Ticket',
  'Fare',
  'Cabin',
  'Embarked',
];
const titanic = rows(200, (i) => [
  String(i),
  String(i % 3 ? 0 : 1),
  String(1 + (i % 3)),
  `Passenger, Mr. ${i}`,
  i % 3 ? 'male' : 'female',
  i % 9 ? String(18 + ((i * 7) % 50)) : '',
  String(i % 4),
  String(i % 3),
  `A/5 ${21000 + i}`,
  (7 + i * 0.37).toFixed(2),
  i % 4 ? '' : `C${i % 11}`,
  'SCQ'[i % 3],
]);

function penguins(): { header: string[]; sample: string[][] } {
  const path = fileURLToPath(new URL('../../../db/datasets/penguins.csv', import.meta.url));
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  return { header: head.split(','), sample: lines.map((l) => l.split(',')) };
}

describe('suggestPreview: the target', () => {
  it('suggests Survived on a Titanic-shaped table, with PassengerId an identifier and Embarked a feature', () => {
    const p = suggestPreview(TITANIC, titanic);
    expect(p.suggestedTarget?.index).toBe(1);
    expect(p.columns.map((c) => c.role)).toEqual([
      'identifier',
      'target',
      'feature',
      'identifier',
      'feature',
      'feature',
      'feature',
      'feature',
      'identifier',
      'feature',
      'feature',
      'feature',
    ]);
    expect(p.columns[0].note).toBe(IDENTIFIER_ID_NOTE);
    expect(p.suggestedTask).toBe('classification');
    expect(p.suggestedTarget?.reason).toBe(
      'suggested: the target, because its name is a usual target name; 2 different values in the first 200 rows (classes)',
    );
  });

  it('suggests species, not year, on the penguins table', () => {
    const { header, sample } = penguins();
    expect(header.at(-1)).toBe('year');
    const p = suggestPreview(header, sample);
    expect(header[p.suggestedTarget?.index ?? -1]).toBe('species');
    expect(p.columns.find((c) => c.header === 'year')?.role).toBe('feature');
    expect(p.suggestedTask).toBe('classification');
    expect(p.suggestedTarget?.reason).toMatch(
      /^suggested: the target, because its name is a usual target name; 3 different values in the first 344 rows \(classes\)$/,
    );
  });

  it('finds a usual name as a word of a longer one and says which word (SalePrice: a regression)', () => {
    const p = suggestPreview(
      ['Id', 'LotArea', 'SalePrice'],
      rows(50, (i) => [String(i), String(8000 + i * 13), String(100000 + i * 997)]),
    );
    expect(p.suggestedTarget).toEqual({
      index: 2,
      reason:
        'suggested: the target, because its name holds "price", a usual target name; 50 different values in the first 50 rows (a quantity)',
    });
    expect(p.suggestedTask).toBe('regression');
    expect(p.columns[0].role).toBe('identifier');
  });

  it('falls back to the last column of a numeric table with no usual target name, saying so', () => {
    const p = suggestPreview(
      ['x1', 'x2', 'x3', 'z'],
      rows(30, (i) => [String(i * 0.5), String(i % 7), String(i * 1.25), String((i * 3.1) % 11)]),
    );
    expect(p.suggestedTarget?.index).toBe(3);
    expect(p.suggestedTarget?.reason).toMatch(
      /^suggested: the target, because no column has a usual target name and the last column is where one usually is; /,
    );
    expect(p.suggestedTask).toBe('regression');
  });

  it('prefers y as a whole name to the last column of a numeric table, and reads few integers as classes', () => {
    const p = suggestPreview(
      ['y', 'a', 'b'],
      rows(30, (i) => [String(i % 2), String(i * 0.1), String(i * 2.5)]),
    );
    expect(p.suggestedTarget?.index).toBe(0);
    expect(p.suggestedTask).toBe('classification');
  });

  it('makes a counting integer column an identifier whatever its name', () => {
    const p = suggestPreview(
      ['row', 'a', 'label'],
      rows(30, (i) => [String(i), String(i * 0.1), 'ab'[i % 2]]),
    );
    expect(p.columns[0]).toEqual(expect.objectContaining({ role: 'identifier', note: IDENTIFIER_RUN_NOTE }));
    expect(p.suggestedTarget?.index).toBe(2);
  });
});

describe('suggestTarget', () => {
  const col = (
    header: string,
    values: string[],
    type: 'integer' | 'text' | 'date' = 'text',
    role: 'feature' | 'identifier' = 'feature',
  ) => ({ header, type, role, values });
  const two = ['a', 'b', 'a', 'b'];

  it('does not read Pclass as "class" (a word, not a substring)', () => {
    expect(headerWords('Pclass')).toEqual(['pclass']);
    expect(
      suggestTarget([
        col('Pclass', ['1', '2', '3'], 'integer'),
        col('Fare', ['1', '2', '3'], 'integer'),
        col('Embarked', two),
      ])?.index,
    ).toBe(2);
  });

  it('splits camelCase and separators into words', () => {
    expect(headerWords('SalePrice')).toEqual(['sale', 'price']);
    expect(headerWords('is_fraud')).toEqual(['is', 'fraud']);
    expect(headerWords('HTTPStatus code')).toEqual(['http', 'status', 'code']);
  });

  it('matches names whatever their case', () => {
    expect(suggestTarget([col('TARGET', two), col('x', two)])?.index).toBe(0);
    expect(suggestTarget([col('Species', two), col('x', two)])?.index).toBe(0);
  });

  it('prefers a whole-name match to a word inside a name', () => {
    expect(suggestTarget([col('label', two), col('price_class', two), col('x', two)])?.index).toBe(0);
  });

  it('never suggests an identifier, a date or a column with one value', () => {
    expect(suggestTarget([col('target', two, 'text', 'identifier'), col('x', two)])?.index).toBe(1);
    expect(suggestTarget([col('x', two), col('outcome', ['2024-01-01', '2024-01-02'], 'date')])?.index).toBe(0);
    expect(suggestTarget([col('x', two), col('label', ['a', 'a', ''])])?.index).toBe(0);
    expect(suggestTarget([col('only', two)])).toBeNull();
  });
});
