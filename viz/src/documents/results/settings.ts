// The top of the results document: a picker of the dataset's other models and the training settings.
import { FOLDS } from '@enchilada/models';
import type { LayoutDOM } from '../../bokeh/model.js';
import { count, div, esc } from '../../bokeh/builders.js';
import { preprocessingHtml } from './preprocessing.js';
import { r4, type ResultsContext } from './shared.js';

export function settingsBlocks({ input, b }: ResultsContext): LayoutDOM[] {
  const { model: m, train, test } = input;
  const blocks: LayoutDOM[] = [];
  const picker = b.bk('Select', {
    title: 'Model',
    value: String(m.id),
    width: 420,
    options: input.others.map(
      (o) =>
        [
          String(o.id),
          `#${o.id} ${input.displayName(o.modelType)} · test ${r4(o.testScore)} · ${o.createdAt.toISOString().slice(0, 16).replace('T', ' ')}`,
        ] as [string, string],
    ),
  });
  b.set(picker, {
    js_property_callbacks: {
      'change:value': [
        b.bk('CustomJS', { args: {}, code: "window.location.href = '/results?model=' + cb_obj.value;" }),
      ],
    },
  });
  const params =
    Object.entries(m.bestParams)
      .map(([k, v]) => `${esc(k)} = ${r4(v)}`)
      .join(', ') || 'none';
  const grid =
    Object.entries(m.grid)
      .map(([k, v]) => `${esc(k)} ∈ {${v.map(r4).join(', ')}}`)
      .join('; ') || 'no hyperparameters';
  blocks.push(
    b.bk('Row', { children: [picker] }),
    div(
      b,
      `<div class="small" data-testid="settings"><strong>${esc(input.displayName(m.modelType))}</strong> on <code>${esc(m.datasetName)}</code> (version ${m.datasetVersion}), target <code>${esc(m.target)}</code>;
    features ${m.features.map((f) => `<code>${esc(f)}</code>`).join(', ')}.<br>Train split ${m.trainFraction} (seed ${m.splitSeed}): ${count(train.rowIds.length)} training rows, ${count(test.rowIds.length)} test rows; ${FOLDS}-fold cross-validation over ${grid}.<br>${preprocessingHtml(m)}
    Best: ${params} · CV ${r4(m.cvScore)} · train ${r4(m.trainScore)} · test ${r4(m.testScore)} · trained in ${(m.durationMs / 1000).toFixed(1)} s · ONNX ${(m.onnxBytes / 1024).toFixed(1)} kB. Every figure here comes from the ONNX model scored by onnxruntime.</div>`,
    ),
  );

  return blocks;
}
