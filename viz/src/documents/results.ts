// The results document of one model, computed from the stored ONNX model's predictions on the
// stored split (what is shown is what will be served). Regression: metrics, residual histogram,
// residuals against predictions, truth against predictions, switched between test and training
// rows. Classification: classification reports, confusion matrices (raw or normalised), ROC and
// precision-recall curves. Both: permutation importance on the test rows, the cross-validation
// results, the training settings, and a picker of the dataset's other models.
import { DocumentBuilder, type EmbedItem, type LayoutDOM } from '../bokeh/model.js';
import { classificationSection } from './results/classification.js';
import { cvFigure } from './results/cv.js';
import { importanceFigure } from './results/importance.js';
import { regressionSection } from './results/regression.js';
import { settingsBlocks } from './results/settings.js';
import type { ResultsContext, ResultsInput } from './results/shared.js';

export type { ResultsInput } from './results/shared.js';

export async function resultsDocument(input: ResultsInput): Promise<EmbedItem> {
  const { model: m, train, test, onnx } = input;
  const b = new DocumentBuilder();
  const [oTrain, oTest] = [
    await onnx.score(m, train.columns, train.rowIds.length),
    await onnx.score(m, test.columns, test.rowIds.length),
  ];
  const ctx: ResultsContext = { input, b, oTrain, oTest };
  const blocks: LayoutDOM[] = settingsBlocks(ctx);
  const task = m.task === 'regression' ? regressionSection(ctx) : classificationSection(ctx);
  blocks.push(...task.blocks, await importanceFigure(ctx, task), cvFigure(b, m));
  return b.item(b.bk('Column', { children: blocks, sizing_mode: 'stretch_width' }), `Results of model ${m.id}`);
}
