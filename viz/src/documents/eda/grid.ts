// Tab 4 of the exploratory-analysis document: a pair grid of the features with the highest mutual information.
import type { LayoutDOM } from '../../bokeh/model.js';
import { div, esc, figure, glyph, source, type Plot, type Renderer } from '../../bokeh/builders.js';
import { MISSING, categoryCounts, histogram } from '../eda-analysis.js';
import type { Importance } from './importance.js';
import { axisSpec } from './parts.js';
import type { EdaContext } from './context.js';

/** `fillColor`: the crossfilter's class colouring, used when the task is classification. */
export function gridTab(ctx: EdaContext, imp: Importance, fillColor: unknown): LayoutDOM[] {
  const {
    b,
    sample,
    label,
    isText,
    classification,
    target,
    classes,
    classCodes,
    colorOf,
    data,
    factors,
    rows,
    sampleNote,
    note,
    swatches,
    ranges,
  } = ctx;
  const top = imp.features
    .map((f, i) => ({ f, v: Number.isNaN(imp.mi[i]) ? 0 : imp.mi[i] }))
    .sort((a, c) => c.v - a.v)
    .slice(0, 4)
    .map((o) => o.f);
  const cells: [LayoutDOM, number, number][] = [];
  const gridFill = classification ? fillColor : '#1f77b4';
  top.forEach((fyy, r) =>
    top.forEach((fxx, c) => {
      const size = 210;
      const xl = r === top.length - 1 ? label(fxx) : undefined;
      const yl = c === 0 ? label(fyy) : undefined;
      let p: Plot;
      if (r === c && isText.has(fxx)) {
        // Text on the diagonal: rows per value, stacked by class, on the same axis as the column's other cells.
        const cc = categoryCounts(
          sample.text.get(fxx) ?? [],
          classCodes ? { labels: classes, codes: classCodes } : undefined,
          Infinity,
        );
        const seg = {
          value: [] as string[],
          cls: [] as string[],
          bottom: [] as number[],
          top: [] as number[],
          count: [] as number[],
          color: [] as string[],
        };
        cc.values.forEach((v, vi) => {
          let bottom = 0;
          cc.groups.forEach((g, gi) => {
            const k = cc.counts[gi][vi];
            if (k === 0) return;
            seg.value.push(v);
            seg.cls.push(g);
            seg.bottom.push(bottom);
            seg.top.push(bottom + k);
            seg.count.push(k);
            seg.color.push(classification ? (g === MISSING ? '#999999' : colorOf(gi)) : '#1f77b4');
            bottom += k;
          });
        });
        p = figure(b, {
          xLabel: xl,
          yLabel: yl,
          xFactors: factors[fxx],
          width: size,
          height: size,
          toolbar: false,
          tooltips: [
            ['value', '@value'],
            ...(classification ? [['class', '@cls'] as [string, string]] : []),
            ['rows', '@count'],
          ],
          renderers: [
            glyph(b, source(b, seg), 'VBar', {
              x: { field: 'value' },
              bottom: { field: 'bottom' },
              top: { field: 'top' },
              width: 0.7,
              fill_color: { field: 'color' },
              fill_alpha: 0.7,
              line_color: 'white',
            }),
          ],
        });
      } else if (r === c) {
        const v = data[fxx] as Float64Array;
        let renderers: Renderer[];
        if (classification && classCodes) {
          const codes = classCodes;
          const range: [number, number] = [ranges[fxx]?.[0] ?? 0, ranges[fxx]?.[1] ?? 1];
          renderers = classes.map((cl, k) => {
            const h = histogram(
              v.filter((_x, i) => codes[i] === k),
              range,
            );
            return glyph(
              b,
              source(b, { left: h.left, right: h.right, count: h.count, cls: h.count.map(() => cl) }),
              'Quad',
              {
                left: { field: 'left' },
                right: { field: 'right' },
                top: { field: 'count' },
                bottom: 0,
                fill_color: colorOf(k),
                fill_alpha: 0.45,
                line_color: null,
              },
            );
          });
        } else {
          const h = histogram(v);
          renderers = [
            glyph(b, source(b, { left: h.left, right: h.right, count: h.count }), 'Quad', {
              left: { field: 'left' },
              right: { field: 'right' },
              top: { field: 'count' },
              bottom: 0,
              fill_color: '#1f77b4',
              fill_alpha: 0.6,
              line_color: 'white',
            }),
          ];
        }
        p = figure(b, {
          xLabel: xl,
          yLabel: yl,
          width: size,
          height: size,
          renderers,
          toolbar: false,
          tooltips: [
            ['count', '@count'],
            ['from', '@left{0.[00]}'],
            ['to', '@right{0.[00]}'],
          ],
        });
      } else {
        p = figure(b, {
          xLabel: xl,
          yLabel: yl,
          xFactors: isText.has(fxx) ? factors[fxx] : undefined,
          yFactors: isText.has(fyy) ? factors[fyy] : undefined,
          width: size,
          height: size,
          toolbar: false,
        });
        const jx = isText.has(fxx) ? b.bk('Jitter', { width: 0.6, range: b.get(p, 'x_range') as never }) : null;
        const jy = isText.has(fyy) ? b.bk('Jitter', { width: 0.6, range: b.get(p, 'y_range') as never }) : null;
        b.set(p, {
          renderers: [
            glyph(b, rows, 'Scatter', {
              x: axisSpec(fxx, jx) as never,
              y: axisSpec(fyy, jy) as never,
              size: 3,
              fill_color: gridFill as never,
              fill_alpha: 0.5,
              line_color: null,
            }),
          ],
        });
      }
      cells.push([p, r, c]);
    }),
  );
  const gridChildren: LayoutDOM[] = [];
  if (classification)
    gridChildren.push(
      div(
        b,
        `<div class="small" data-testid="grid-legend"><strong>${esc(target ?? 'class')}:</strong> ${swatches}</div>`,
      ),
    );
  gridChildren.push(
    note(
      `The ${top.length} features with the highest mutual information; on the diagonal histograms (numpy's 'auto' bins) of numeric features and rows per value of text features${classification ? ', per class' : ''}; points on a text axis spread at random across their value's band; ${sampleNote}.`,
    ),
  );
  gridChildren.push(
    b.bk('GridPlot', {
      children: cells,
      toolbar: b.bk('Toolbar', { tools: [b.bk('PanTool', {}), b.bk('WheelZoomTool', {}), b.bk('ResetTool', {})] }),
      toolbar_location: 'right',
    }),
  );

  return gridChildren;
}
