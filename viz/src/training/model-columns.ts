// How a table's columns reach a model: dates become their numeric parts for the engine, and the
// fitted preprocessing gives the model's input contract (what serve and viz feed its ONNX graph)
// and the summary the results page states.
import {
  serialiseExplainer,
  withExplainerColumns,
  type ColumnTransformerModel,
  type ExplainerArtefact,
  type RawColumn,
} from '@enchilada/ml';
import type { TrainingColumn } from '@enchilada/data';
import { DATE_PARTS, datePart, datePartColumn, type DatePart, type ModelInput } from '@enchilada/models';

/** The date parts a column becomes: year, month, day and weekday, and the hour when any value has a time of day. */
function partsOf(values: Float64Array): DatePart[] {
  const withTime = values.some((v) => !Number.isNaN(v) && v % 86_400_000 !== 0);
  return DATE_PARTS.filter((p) => p !== 'hour' || withTime);
}

/** The engine's columns: numbers and text as they are, each date as its numeric parts. */
export function engineColumns(columns: readonly TrainingColumn[]): {
  raw: RawColumn[];
  parts: Map<string, DatePart[]>;
} {
  const raw: RawColumn[] = [];
  const parts = new Map<string, DatePart[]>();
  for (const c of columns) {
    if (c.kind !== 'date') {
      raw.push(c);
      continue;
    }
    const ps = partsOf(c.values);
    parts.set(c.name, ps);
    for (const p of ps)
      raw.push({
        name: datePartColumn(c.name, p),
        kind: 'numeric',
        values: Float64Array.from(c.values, (v) => datePart(v, p)),
      });
  }
  return { raw, parts };
}

/** The model's input contract: each original column with its ONNX input(s), known categories and imputed value. */
export function modelInputs(
  columns: readonly TrainingColumn[],
  parts: ReadonlyMap<string, DatePart[]>,
  pre: ColumnTransformerModel,
): ModelInput[] {
  const position = new Map(pre.schema.map((c, j) => [c.name, j]));
  const at = (column: string): number => {
    const j = position.get(column);
    if (j === undefined) throw new Error(`no ONNX input for column ${column}`);
    return j;
  };
  const name = (column: string): string => pre.inputNames[at(column)];
  const index = (column: string): number => pre.inputIndex[at(column)];
  return columns.map((c): ModelInput => {
    if (c.kind === 'numeric') {
      const v = pre.imputedValueOf(c.name);
      return {
        name: c.name,
        kind: 'numeric',
        onnx: name(c.name),
        index: index(c.name),
        imputed: typeof v === 'number' ? v : null,
      };
    }
    if (c.kind === 'categorical') {
      const v = pre.imputedValueOf(c.name);
      return {
        name: c.name,
        kind: 'categorical',
        onnx: name(c.name),
        categories: pre.categoriesOf(c.name) ?? [],
        imputed: typeof v === 'string' ? v : null,
      };
    }
    return {
      name: c.name,
      kind: 'date',
      parts: (parts.get(c.name) ?? []).map((p) => {
        const v = pre.imputedValueOf(datePartColumn(c.name, p));
        return {
          part: p,
          onnx: name(datePartColumn(c.name, p)),
          index: index(datePartColumn(c.name, p)),
          imputed: typeof v === 'number' ? v : null,
        };
      }),
    };
  });
}

/** What the results page says of the preprocessing: the parameters, then per column its kind, missing count and treatment. */
export function preprocessingSummary(
  columns: readonly TrainingColumn[],
  pre: ColumnTransformerModel,
  train: Int32Array,
) {
  const missing = (c: TrainingColumn) => {
    let k = 0;
    for (const i of train) {
      const v = c.values[i];
      if (v === null || (typeof v === 'number' && Number.isNaN(v))) k++;
    }
    return k;
  };
  return {
    params: pre.params,
    outputs: pre.nOutputs,
    columns: columns.map((c) => ({
      name: c.name,
      kind: c.kind,
      missing: missing(c),
      imputed: c.kind === 'date' ? null : pre.imputedValueOf(c.name),
      categories: c.kind === 'categorical' ? (pre.categoriesOf(c.name)?.length ?? 0) : null,
    })),
  };
}

/**
 * The explainer artefact the refit built (issue 18), its columns those of the table (a date one
 * column of its parts), as models.explainer stores it; null when none could be built (the model is
 * stored anyway: it then says "retrain to explain", and the job's log says why).
 */
export function storedExplainer(
  search: { readonly explainer: ExplainerArtefact | null; readonly explainerError?: string },
  columns: readonly TrainingColumn[],
  parts: ReadonlyMap<string, DatePart[]>,
): string | null {
  if (!search.explainer) {
    if (search.explainerError) console.warn(`no explainer for this model: ${search.explainerError}`);
    return null;
  }
  try {
    return serialiseExplainer(
      withExplainerColumns(
        search.explainer,
        columns.map((c) =>
          c.kind === 'date'
            ? { name: c.name, kind: 'date' as const, parts: parts.get(c.name) ?? [] }
            : { name: c.name, kind: c.kind },
        ),
      ),
    );
  } catch (err) {
    console.warn(`no explainer for this model: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}
