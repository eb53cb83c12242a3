import { DocumentBuilder } from '../src/bokeh/model.js';
import { calibrationPlot, dataTable, plainNumbers, source, tableNumber } from '../src/bokeh/builders.js';
import { DocModels } from './support/doc-models.js';

type Rep = { attributes: { autosize_mode: string; columns: { attributes: { title: string; width: number } }[] } };

function table(columns: Parameters<typeof dataTable>[2]): Rep {
  const b = new DocumentBuilder();
  return b.item(dataTable(b, source(b, {}), columns)).doc.roots[0] as Rep;
}

describe('dataTable', () => {
  it('lets a few columns share the width in proportion to their content', () => {
    const t = table([
      { field: 'column', title: 'column', chars: 22 },
      { field: 'mean', title: 'mean', numeric: true },
    ]);
    expect(t.attributes.autosize_mode).toBe('force_fit');
    const [name, mean] = t.attributes.columns.map((c) => c.attributes.width);
    expect(name).toBe(7 * 22 + 18);
    expect(mean).toBe(7 * 9 + 18);
  });

  it('keeps the natural widths of many columns and scrolls sideways instead of squeezing them', () => {
    const cols = Array.from({ length: 31 }, (_, i) => ({
      field: `f${i}`,
      title: `worst fractal dimension ${i}`,
      numeric: true,
    }));
    const t = table(cols);
    expect(t.attributes.autosize_mode).toBe('none');
    for (const c of t.attributes.columns)
      expect(c.attributes.width).toBeGreaterThanOrEqual(7 * c.attributes.title.length);
  });
});

describe('calibrationPlot', () => {
  it('draws the diagonal, then each curve as a line and markers over its bins in its colour', () => {
    const b = new DocumentBuilder();
    const bins = [
      { meanPredicted: 0.15, observed: 0.1, count: 4 },
      { meanPredicted: 0.85, observed: 0.9, count: 6 },
    ];
    const doc = new DocModels(
      b.item(
        calibrationPlot(b, 'Calibration', [
          { bins, color: '#1f77b4' },
          { bins: bins.slice(1), color: '#ff7f0e', marker: 'square' },
        ]),
      ),
    );
    const glyphs = doc.glyphs(doc.plot('Calibration'));
    expect(glyphs.map((g) => g.glyph.name)).toEqual(['Line', 'Line', 'Scatter', 'Line', 'Scatter']);
    expect(glyphs[0].data).toEqual({ x: [0, 1], y: [0, 1] });
    expect(glyphs[1].data).toEqual({ p: [0.15, 0.85], o: [0.1, 0.9], n: [4, 6] });
    expect(glyphs[4].data.p).toEqual([0.85]);
    const colour = (g: (typeof glyphs)[number]) =>
      g.glyph.name === 'Line' ? g.glyph.attributes.line_color : g.glyph.attributes.fill_color;
    expect(glyphs.slice(1).map(colour)).toEqual(['#1f77b4', '#1f77b4', '#ff7f0e', '#ff7f0e']);
    expect(glyphs.map((g) => g.glyph.attributes.marker)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      'square',
    ]);
  });
});

describe('plainNumbers and tableNumber', () => {
  it('calls whole numbers below 10,000 plain, missing values aside, and anything fractional or larger not', () => {
    expect(plainNumbers([2007, 2009, null, Number.NaN, -42])).toBe(true);
    expect(plainNumbers([2007, 10_000])).toBe(false);
    expect(plainNumbers([2007, 2007.5])).toBe(false);
  });

  it('writes up to three decimals, with thousands separators unless plain, and a dash when missing', () => {
    expect(tableNumber(2007, true)).toBe('2007');
    expect(tableNumber(2008.0294, true)).toBe('2008.029');
    expect(tableNumber(12_345.5, false)).toBe('12,345.5');
    expect(tableNumber(null, false)).toBe('-');
  });
});
