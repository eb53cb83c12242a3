// The cross-validation results: a heatmap when two hyperparameters vary, bars otherwise.
import { FOLDS, type ModelDetail } from '@enchilada/models';
import type { DocumentBuilder, LayoutDOM } from '../../bokeh/model.js';
import { figure, glyph, source } from '../../bokeh/builders.js';
import { r4 } from './shared.js';

export function cvFigure(b: DocumentBuilder, m: ModelDetail): LayoutDOM {
  const varying = Object.entries(m.grid)
    .filter(([, v]) => v.length > 1)
    .map(([k]) => k);
  const cv = m.cvResults;
  if (varying.length === 2) {
    const [px, py] = varying;
    const xs = [...new Set(cv.map((c) => String(r4(c.params[px]))))];
    const ys = [...new Set(cv.map((c) => String(r4(c.params[py]))))];
    // Mean over any other hyperparameters, best of them shown in the hover.
    const cell = new Map<string, number>();
    for (const c of cv) {
      const key = `${r4(c.params[px])}|${r4(c.params[py])}`;
      cell.set(key, Math.max(cell.get(key) ?? -Infinity, c.mean));
    }
    const vals = [...cell.values()];
    const lo = Math.min(...vals);
    const hi = Math.max(...vals);
    const keys = [...cell.keys()];
    const src = source(b, {
      x: keys.map((k) => k.split('|')[0]),
      y: keys.map((k) => k.split('|')[1]),
      v: keys.map((k) => r4(cell.get(k) ?? NaN)),
      color: keys.map((k) => {
        const t = hi > lo ? ((cell.get(k) ?? lo) - lo) / (hi - lo) : 1;
        const c = Math.round(250 - 190 * t);
        return `rgb(${c},${Math.round(250 - 100 * t)},${Math.round(250 - 190 * t)})`;
      }),
    });
    return figure(b, {
      title: `Cross-validation score by ${px} and ${py}`,
      xFactors: xs,
      yFactors: ys,
      xLabel: px,
      yLabel: py,
      height: 360,
      tooltips: [
        [px, '@x'],
        [py, '@y'],
        ['CV score', '@v'],
      ],
      renderers: [
        glyph(b, src, 'Rect', {
          x: { field: 'x' },
          y: { field: 'y' },
          width: 1,
          height: 1,
          fill_color: { field: 'color' },
          line_color: 'white',
        }),
        b.bk('GlyphRenderer', {
          data_source: src,
          glyph: b.bk('Text', {
            x: { field: 'x' },
            y: { field: 'y' },
            text: { field: 'v' },
            text_align: 'center',
            text_baseline: 'middle',
            text_font_size: '11px',
          }),
          view: b.bk('CDSView', {}),
        }),
      ],
    });
  } else {
    const labels = cv.map(
      (c) =>
        Object.entries(c.params)
          .map(([k, v]) => `${k}=${r4(v)}`)
          .join(' ') || 'defaults',
    );
    return figure(b, {
      title: `Cross-validation score per candidate (mean ± std of ${FOLDS} folds)`,
      xFactors: labels,
      yLabel: 'CV score',
      height: 320,
      tooltips: [
        ['candidate', '@c'],
        ['mean', '@m{0.0000}'],
        ['std', '@s{0.0000}'],
        ['rank', '@r'],
      ],
      renderers: [
        glyph(
          b,
          source(b, {
            c: labels,
            m: cv.map((c) => c.mean),
            s: cv.map((c) => c.std),
            r: cv.map((c) => c.rank),
            lo: cv.map((c) => c.mean - c.std),
            hi: cv.map((c) => c.mean + c.std),
          }),
          'VBar',
          { x: { field: 'c' }, top: { field: 'm' }, bottom: 0, width: 0.7, fill_color: '#17becf', line_color: null },
        ),
      ],
    });
  }
}
