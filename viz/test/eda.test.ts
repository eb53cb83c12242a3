// The EDA document built from a dataset and sample made in the test: what text features add.
import type { ColumnSpec, Dataset, Sample, Task } from '@enchilada/data';
import { edaDocument } from '../src/documents/eda.js';
import { DocModels, totals } from './support/doc-models.js';

const N = 90;
const COLOURS = ['red', 'green', 'blue'];

function dataset(task: Task, target: string, columns: ColumnSpec[]): Dataset {
  return {
    id: 1,
    name: 't',
    title: 'T',
    origin: 'upload',
    tableName: 'ds_t',
    target,
    task,
    columns,
    rowCount: N,
    version: 1,
    stats: { rows: N, numeric: [], categorical: [], dates: [], classCounts: null },
    createdBy: null,
    createdByName: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

function sample(numeric: Record<string, Float64Array>, text: Record<string, (string | null)[]>): Sample {
  return { size: N, sampled: false, numeric: new Map(Object.entries(numeric)), text: new Map(Object.entries(text)) };
}

describe('EDA document with a text feature', () => {
  // colour decides the class; noise says nothing about it.
  const colour = Array.from({ length: N }, (_, i) => COLOURS[i % 3]);
  const classified = new DocModels(
    edaDocument({
      ds: dataset('classification', 'cls', [
        { name: 'colour', type: 'text', role: 'feature' },
        { name: 'noise', type: 'decimal', role: 'feature' },
        { name: 'cls', type: 'text', role: 'target' },
      ]),
      sample: sample(
        { noise: Float64Array.from({ length: N }, (_, i) => Math.sin(i * 7.1)) },
        { colour, cls: colour.map((c) => `is-${c}`) },
      ),
    }),
  );

  it('draws the text feature of the pair grid as stacked count bars on its diagonal', () => {
    const grid = classified.named('GridPlot')[0];
    const plots = (grid.attributes.children as [unknown, number, number][]).map(([p]) => classified.ref(p));
    const bars = plots.flatMap((p) => classified.glyphs(p)).filter((g) => g.glyph.name === 'VBar');
    expect(bars).toHaveLength(1);
    expect(totals(bars[0].data, 'value')).toEqual({ red: 30, green: 30, blue: 30 });
    expect(totals(bars[0].data, 'cls')).toEqual({ 'is-red': 30, 'is-green': 30, 'is-blue': 30 });
  });

  it('puts the text feature of a pair-grid scatter on a categorical axis with jittered points', () => {
    const grid = classified.named('GridPlot')[0];
    const cells = (grid.attributes.children as [unknown, number, number][]).map(([p]) => classified.ref(p));
    const scatters = cells.filter((p) => classified.glyphs(p).some((g) => g.glyph.name === 'Scatter'));
    expect(scatters).toHaveLength(2);
    for (const p of scatters) {
      const { glyph } = classified.glyphs(p)[0];
      const [axis, range] =
        (glyph.attributes.x as { field: string }).field === 'colour'
          ? ['x', p.attributes.x_range]
          : ['y', p.attributes.y_range];
      const spec = glyph.attributes[axis] as { field: string; transform: unknown };
      expect(spec.field).toBe('colour');
      expect(classified.ref(range).attributes.factors).toEqual(['blue', 'green', 'red']);
      expect(classified.ref(spec.transform).name).toBe('Jitter');
    }
  });

  it('offers the text feature as a marker colour beside the class', () => {
    const [select] = classified.named('Select').filter((s) => s.attributes.title === 'marker colour');
    expect(select.attributes.options).toEqual([['__class', 'cls'], 'colour']);
  });

  it('draws plain count bars, not stacked, for a regression dataset', () => {
    const doc = new DocModels(
      edaDocument({
        ds: dataset('regression', 'y', [
          { name: 'colour', type: 'text', role: 'feature' },
          { name: 'y', type: 'decimal', role: 'target' },
        ]),
        sample: sample(
          { y: Float64Array.from({ length: N }, (_, i) => i % 3) },
          { colour: colour.map((c, i) => (i < 3 ? null : c)) },
        ),
      }),
    );
    const [{ data }] = doc.glyphs(doc.plot('colour: rows per value'));
    expect(totals(data, 'value')).toEqual({ red: 29, green: 29, blue: 29, '(missing)': 3 });
    expect(new Set(data.cls)).toEqual(new Set(['']));
  });

  it('says there is nothing to explore when the only text feature is identifier-like', () => {
    const ds = dataset('classification', 'cls', [
      { name: 'name', type: 'text', role: 'feature' },
      { name: 'cls', type: 'text', role: 'target' },
    ]);
    const withStats = {
      ...ds,
      stats: {
        rows: N,
        numeric: [],
        categorical: [{ name: 'name', count: N, missing: 0, distinct: N, top: [], identifierLike: true }],
        dates: [],
        classCounts: null,
      },
    };
    const names = Array.from({ length: N }, (_, i) => `n${i}`);
    const item = edaDocument({
      ds: withStats,
      sample: sample({}, { name: names, cls: names.map((_, i) => String(i % 2)) }),
    });
    expect(JSON.stringify(item)).toContain('no numeric or categorical text feature columns to explore');
  });
});

describe('EDA tables: how numbers are written', () => {
  // year: whole numbers below 10,000 (written 2007); income: whole numbers above (written 52,000).
  const year = Float64Array.from({ length: N }, (_, i) => 2007 + (i % 3));
  const income = Float64Array.from({ length: N }, (_, i) => 50_000 + 1000 * (i % 5));
  const stat = (name: string, xs: Float64Array) => ({
    name,
    count: N,
    missing: 0,
    mean: xs.reduce((a, v) => a + v, 0) / N,
    std: 1,
    min: Math.min(...xs),
    q25: xs[0],
    q50: xs[1],
    q75: xs[2],
    max: Math.max(...xs),
  });
  const ds = dataset('regression', 'income', [
    { name: 'year', type: 'integer', role: 'feature' },
    { name: 'income', type: 'integer', role: 'target' },
  ]);
  const doc = new DocModels(
    edaDocument({
      ds: {
        ...ds,
        stats: {
          rows: N,
          numeric: [stat('year', year), stat('income', income)],
          categorical: [],
          dates: [],
          classCounts: null,
        },
      },
      sample: sample({ year, income }, {}),
    }),
  );
  const tables = doc.named('DataTable');
  const columnsOf = (t: (typeof tables)[number]) =>
    Object.fromEntries(
      (t.attributes.columns as unknown[]).map((c) => {
        const col = doc.ref(c);
        return [col.attributes.field as string, doc.ref(col.attributes.formatter).attributes];
      }),
    );
  const statsTable = tables.find((t) => 'q25' in columnsOf(t));
  const rowsTable = tables.find((t) => 'year' in columnsOf(t));

  it('writes an integer column of years without thousands separators in the statistics table, a large measure with them', () => {
    if (!statsTable) throw new Error('no statistics table');
    const data = doc.data(statsTable.attributes.source);
    expect(data.column).toEqual(['year', 'income']);
    expect(data.min_text).toEqual(['2007', '50,000']);
    expect(data.max_text).toEqual(['2009', '54,000']);
    expect(data.mean_text).toEqual(['2008', '52,000']);
    // The cells show that text; the numbers stay in the column, so sorting stays numeric.
    expect(columnsOf(statsTable).min).toEqual({ template: '<%- min_text %>' });
    expect(data.min).toEqual([2007, 50_000]);
  });

  it('writes the year column of the rows table without thousands separators, the large measure with them', () => {
    if (!rowsTable) throw new Error('no rows table');
    expect(columnsOf(rowsTable).year).toEqual({ format: '0.[000]' });
    expect(columnsOf(rowsTable).income).toEqual({ format: '0,0.[000]' });
  });
});
