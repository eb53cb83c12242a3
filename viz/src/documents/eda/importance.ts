// Tab 2 of the exploratory-analysis document: mutual information with the target and PCA.
import type { LayoutDOM } from '../../bokeh/model.js';
import { count, esc, figure, glyph, source } from '../../bokeh/builders.js';
import { importance, textCodes } from '../eda-analysis.js';
import type { EdaContext } from './context.js';

export type Importance = ReturnType<typeof importance>;

export function importanceTab(ctx: EdaContext): { readonly children: LayoutDOM[]; readonly imp: Importance } {
  const {
    b,
    ds,
    sample,
    n,
    features,
    textColumns,
    identifierLike,
    textFeatures,
    isText,
    target,
    classCodes,
    data,
    sampleNote,
    note,
  } = ctx;
  const imp = importance(
    [
      ...features.map((f) => ({
        name: f,
        values: data[f] as Float64Array,
        discrete: ds.columns.find((c) => c.name === f)?.type === 'integer',
      })),
      ...textFeatures.map((f) => ({
        name: f,
        values: textCodes(sample.text.get(f) ?? []),
        discrete: true,
        categorical: true,
      })),
    ],
    target ? { values: sample.numeric.get(target) ?? new Float64Array(n), classes: classCodes ?? undefined } : null,
  );
  const textNote =
    textFeatures.length === 0
      ? ''
      : ` Text features count as discrete (scikit-learn's discrete_features, values coded as categories); rows where a text feature is missing are left out of that feature's MI only (the hover gives each feature's rows).`;
  const idNote =
    textColumns.length > textFeatures.length
      ? ` ${esc(textColumns.filter((f) => identifierLike.has(f)).join(', '))}: nearly every value differs, so not a category, and left out.`
      : '';
  const impTab: LayoutDOM[] = [
    note(
      `Mutual information with ${esc(target ?? 'the target')} (k-nearest-neighbour estimator, k = 3, as scikit-learn) and principal components of the standardised numeric features, on ${count(imp.rows)} rows complete in every numeric feature, of ${sampleNote}.${textNote}${idNote}`,
    ),
  ];
  if (target) {
    const order = imp.features.map((f, i) => ({ f, v: imp.mi[i], rows: imp.miRows[i] })).sort((a, c) => a.v - c.v);
    const miSrc = source(b, {
      f: order.map((o) => o.f),
      mi: order.map((o) => o.v),
      rows: order.map((o) => o.rows),
      kind: order.map((o) => (isText.has(o.f) ? 'text' : 'numeric')),
    });
    impTab.push(
      figure(b, {
        title: `Mutual information with ${target}`,
        yFactors: order.map((o) => o.f),
        xLabel: 'mutual information (nats)',
        xStart: 0,
        height: Math.max(240, 40 + 28 * order.length),
        tooltips: [
          ['feature', '@f (@kind)'],
          ['MI', '@mi{0.000}'],
          ['rows', '@rows'],
        ],
        renderers: [
          glyph(b, miSrc, 'HBar', {
            y: { field: 'f' },
            right: { field: 'mi' },
            left: 0,
            height: 0.7,
            fill_color: '#2ca02c',
            line_color: null,
          }),
        ],
      }),
    );
  } else impTab.push(note('This dataset has no target, so there is no mutual information to show.'));
  const comps = imp.pcaRatio.map((_, i) => `PC${i + 1}`);
  const pcaSrc = source(b, {
    pc: comps,
    ratio: imp.pcaRatio,
    cum: imp.pcaCumulative,
    pct: imp.pcaRatio.map((r) => `${(100 * r).toFixed(1)}%`),
    cpct: imp.pcaCumulative.map((r) => `${(100 * r).toFixed(1)}%`),
  });
  impTab.push(
    figure(b, {
      title: 'PCA: explained variance per component and cumulative',
      xFactors: comps,
      yLabel: 'share of variance',
      height: 340,
      tooltips: [
        ['component', '@pc'],
        ['explained', '@pct'],
        ['cumulative', '@cpct'],
      ],
      renderers: [
        glyph(b, pcaSrc, 'VBar', {
          x: { field: 'pc' },
          top: { field: 'ratio' },
          bottom: 0,
          width: 0.7,
          fill_color: '#9467bd',
          fill_alpha: 0.7,
          line_color: null,
        }),
        glyph(b, pcaSrc, 'Line', { x: { field: 'pc' }, y: { field: 'cum' }, line_color: '#ff7f0e', line_width: 2 }),
        glyph(b, pcaSrc, 'Scatter', {
          x: { field: 'pc' },
          y: { field: 'cum' },
          size: 7,
          fill_color: '#ff7f0e',
          line_color: null,
        }),
      ],
    }),
  );

  return { children: impTab, imp };
}
