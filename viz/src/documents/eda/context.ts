// What every tab of the exploratory-analysis document shares: the dataset, its sample, the rows every
// point plot draws from, the target as classes, and a few formatters. Built once by eda.ts.
import type { Dataset, Sample } from '@enchilada/data';
import type { DocumentBuilder, LayoutDOM } from '../../bokeh/model.js';
import type { Source } from '../../bokeh/builders.js';

export interface EdaContext {
  readonly b: DocumentBuilder;
  readonly ds: Dataset;
  readonly sample: Sample;
  /** Rows in the sample. */
  readonly n: number;
  /** A column's name with its unit, for axis labels. */
  readonly label: (name: string) => string;
  /** Numeric feature columns. */
  readonly features: string[];
  /** Every text feature column, identifier-like ones included. */
  readonly textColumns: string[];
  readonly identifierLike: ReadonlySet<string>;
  /** Text features that are categories (not identifier-like): on axes and in the mutual information. */
  readonly textFeatures: string[];
  readonly isText: ReadonlySet<string>;
  readonly classification: boolean;
  readonly target: string | null;
  /** The target's classes, sorted (classification), and each sampled row's class index (-1: missing). */
  readonly classes: string[];
  readonly classCodes: Int32Array | null;
  readonly colorOf: (k: number) => string;
  /** The columns of `rows`, by name (numeric features, their size bins, the class, text as labels). */
  readonly data: Record<string, unknown[] | ArrayLike<number>>;
  /** Each text feature's values, most frequent first: a categorical axis's factors. */
  readonly factors: Record<string, string[]>;
  readonly rows: Source;
  /** "a uniform sample of N of M rows" or "all N rows". */
  readonly sampleNote: string;
  readonly note: (text: string) => LayoutDOM;
  /** Class colour swatches as HTML (classification), else empty. */
  readonly swatches: string;
  /** Each numeric column's [min, max] over the sample. */
  readonly ranges: Record<string, [number, number]>;
}
