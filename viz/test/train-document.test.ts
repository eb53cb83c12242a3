// The Train form's browser code: every callback parses, and the first grid shown is the log scale's.
import type { Dataset } from '@enchilada/data';
import { logValues } from '@enchilada/ml';
import { trainDocument } from '../src/documents/train.js';

const iris = {
  id: 1,
  name: 'iris',
  title: 'Iris',
  target: 'species',
  task: 'classification',
  rowCount: 150,
  stats: null,
  columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'].map((name) => ({
    name,
    type: 'decimal',
    role: name === 'species' ? 'target' : 'feature',
  })),
} as unknown as Dataset;

function models(o: unknown, out: { name: string; attributes: Record<string, unknown> }[] = []) {
  if (o && typeof o === 'object') {
    const m = o as { type?: string; name?: string; attributes?: Record<string, unknown> };
    if (m.type === 'object' && m.name && m.attributes) out.push({ name: m.name, attributes: m.attributes });
    for (const v of Object.values(o)) models(v, out);
  }
  return out;
}

it('every CustomJS callback of the form is valid JavaScript', () => {
  const codes = models(trainDocument(iris, 500).doc)
    .filter((m) => m.name === 'CustomJS')
    .map((m) => String(m.attributes.code));
  expect(codes.length).toBeGreaterThanOrEqual(2);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiling (not running) the callbacks is the test
  for (const code of codes) expect(() => new Function('args', code)).not.toThrow();
});

it('starts with C on the log scale, one value per decade, as the grid listed and counted', () => {
  const html = JSON.stringify(trainDocument(iris, 500).doc);
  expect(html).toContain(`C: ${logValues(0.001, 1000, 1).join(', ')}`);
  expect(html).toContain('data-fits=\\"35\\"');
});
