import { DocumentBuilder } from '../src/bokeh/model.js';
import { dataTable, source } from '../src/bokeh/builders.js';

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
