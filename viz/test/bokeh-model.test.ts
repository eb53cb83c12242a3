import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DocumentBuilder, BOKEH_VERSION } from '../src/bokeh/model.js';

describe('the BokehJS document serializer', () => {
  it('writes a model in full once and as a reference after', () => {
    const b = new DocumentBuilder();
    const src = b.bk('ColumnDataSource', { data: { x: [1, 2] } });
    const item = b.item(
      b.bk('Column', {
        children: [b.bk('DataTable', { source: src, columns: [] }), b.bk('DataTable', { source: src, columns: [] })],
      }),
    );
    const text = JSON.stringify(item);
    expect(text.match(/"name":"ColumnDataSource"/g)).toHaveLength(1);
    expect(text).toContain(
      `{"id":"${(JSON.parse(text).doc.roots[0].attributes.children[0].attributes.source as { id: string }).id}"}`,
    );
  });

  it('sends data keyed "id" or "type" as a map, so BokehJS does not read it as a reference', () => {
    const b = new DocumentBuilder();
    const item = b.item(b.bk('CustomJS', { args: { units: { id: 'id (row)', type: 'kind', x: 'x' } }, code: '' }));
    const units = (item.doc.roots[0] as { attributes: { args: { units: unknown } } }).attributes.args.units;
    expect(units).toEqual({
      type: 'map',
      entries: [
        ['id', 'id (row)'],
        ['type', 'kind'],
        ['x', 'x'],
      ],
    });
  });

  it('writes non-finite numbers as number reps and long typed arrays as gzip + base64', () => {
    const b = new DocumentBuilder();
    const item = b.item(b.bk('ColumnDataSource', { data: { a: [NaN, Infinity, 1], b: new Float64Array(100) } }));
    const data = (item.doc.roots[0] as { attributes: { data: Record<string, unknown> } }).attributes.data;
    expect(data.a).toEqual([{ type: 'number', value: 'nan' }, { type: 'number', value: '+inf' }, 1]);
    expect(data.b).toMatchObject({ type: 'typed_array', dtype: 'float64', order: 'little', array: { type: 'bytes' } });
  });

  it('names the BokehJS version the browser loads', () => {
    for (const pkg of ['web', 'viz']) {
      const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', pkg, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      expect({ ...manifest.dependencies, ...manifest.devDependencies }['@bokeh/bokehjs']).toBe(BOKEH_VERSION);
    }
  });
});
