// The preprocessing a model was trained with, in words and per column, for the settings block.
import type { ModelDetail } from '@enchilada/models';
import { count, esc } from '../../bokeh/builders.js';
import { r4 } from './shared.js';

interface PreprocessingSummary {
  readonly params: {
    numericStrategy: string;
    addIndicator: boolean;
    scale: boolean;
    categoricalStrategy: string;
    categoricalFill: string;
    encoding: string;
    minFrequency: number | null;
    maxCategories: number | null;
  };
  readonly outputs: number;
  readonly columns: readonly {
    name: string;
    kind: string;
    missing: number;
    imputed: number | string | null;
    categories: number | null;
  }[];
}

const STRATEGY: Record<string, string> = {
  mean: 'the mean',
  median: 'the median',
  most_frequent: 'the most frequent value',
  constant: 'a constant',
};

/** The preprocessing in words, then per column: its kind, missing values among the training rows and what was done. */
export function preprocessingHtml(m: ModelDetail): string {
  const p = m.preprocessing as PreprocessingSummary | null;
  if (!p) return 'Preprocessing: StandardScaler (this model was trained on complete numeric rows only).<br>';
  const q = p.params;
  // histogram boosting takes text columns as native categories (ordinal codes), every other model one-hot
  const native = q.encoding === 'ordinal' && m.modelType.startsWith('hist_gradient_boosting');
  const text =
    q.categoricalStrategy === 'constant'
      ? `a missing value is its own category (<code>${esc(q.categoricalFill)}</code>)`
      : 'a missing value becomes the most frequent category';
  const enc =
    q.encoding === 'onehot'
      ? `one-hot encoded${q.minFrequency !== null ? `, categories seen fewer than ${q.minFrequency} ${q.minFrequency < 1 ? '× rows' : 'times'} grouped as infrequent` : ''}${q.maxCategories !== null ? `, at most ${q.maxCategories} columns each` : ''}, a category never seen in training counted as infrequent (or as none)`
      : native
        ? 'ordinal codes split natively as categories by histogram boosting (a set of categories per split; a category never seen in training goes where missing values go)'
        : 'ordinal encoded (−1 for a category never seen in training)';
  const rows = p.columns
    .map((c) => {
      const what =
        c.kind === 'categorical'
          ? `${c.categories ?? 0} categories, ${q.encoding === 'onehot' ? 'one-hot' : native ? 'native categorical splits' : 'ordinal'}`
          : c.kind === 'date'
            ? 'year, month, day, weekday (and hour) as numbers'
            : q.scale
              ? 'standardised'
              : 'as is';
      const imputed =
        c.imputed === null
          ? ''
          : typeof c.imputed === 'number'
            ? ` → ${r4(c.imputed)}`
            : ` → <code>${esc(c.imputed)}</code>`;
      return `<tr><td><code>${esc(c.name)}</code></td><td>${esc(c.kind)}</td><td class="text-end">${count(c.missing)}</td><td>${c.missing ? `imputed${imputed}; ` : ''}${what}</td></tr>`;
    })
    .join('');
  return `Preprocessing (fitted inside each fold, then on all training rows): numbers — missing values imputed with ${STRATEGY[q.numericStrategy] ?? esc(q.numericStrategy)}${q.addIndicator ? ' plus a 0/1 missing indicator' : ''}${q.scale ? ', then standardised' : ''}; text — ${text}, ${enc}. ${p.outputs} model inputs in all.
    <table class="table table-sm w-auto my-1" data-testid="preprocessing"><thead><tr><th>column</th><th>kind</th><th class="text-end">missing (train)</th><th>treatment</th></tr></thead><tbody>${rows}</tbody></table>`;
}
