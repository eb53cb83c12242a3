// Which column of an uploaded table is probably the target, and why: the preview shows it as a
// suggestion the person can overrule. The name decides first (a usual target name, whole or as a
// word of the name), the shape second (few different values reads as classes); a column that
// cannot be a target (an identifier, a date, all missing) is never suggested.
import { isMissing, type ColumnRole, type ColumnType } from './column-types.js';

export interface TargetCandidate {
  readonly header: string;
  readonly type: ColumnType;
  readonly role: ColumnRole;
  /** Sample values, as read from the file. */
  readonly values: readonly string[];
}

export interface TargetSuggestion {
  readonly index: number;
  /** Why, for the person choosing: "suggested: …, because …". */
  readonly reason: string;
}

/**
 * Names data scientists give a target, lower-case (Kaggle's and scikit-learn's datasets). "class"
 * matches the word, not Titanic's "Pclass"; "y" only as a whole word.
 */
export const TARGET_NAMES: readonly string[] = [
  'target',
  'label',
  'class',
  'y',
  'survived',
  'outcome',
  'species',
  'price',
  'diagnosis',
  'churn',
  'churned',
  'default',
  'fraud',
  'response',
  'result',
  'quality',
  'grade',
  'medv',
  'mpg',
  'income',
  'salary',
  'sales',
  'cultivar',
];

/** At most this many different values in the sample reads as classes (as suggestTask counts). */
const FEW_VALUES = 20;

/** The words of a header: split at non-alphanumerics and camelCase humps (SalePrice → sale, price). */
export function headerWords(header: string): string[] {
  return header
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

function nameMatch(header: string): { word: string; whole: boolean } | null {
  const h = header.trim().toLowerCase();
  if (TARGET_NAMES.includes(h)) return { word: h, whole: true };
  const word = headerWords(header).find((w) => TARGET_NAMES.includes(w));
  return word ? { word, whole: false } : null;
}

const plural = (n: number, one: string): string => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;

/**
 * The suggested target of a table, or null when no column can be one. A usual target name wins
 * (a whole-name match over a word inside a name, then the column with few different values, then
 * the later column); without one, the last column that can be a target, as before.
 */
export function suggestTarget(columns: readonly TargetCandidate[]): TargetSuggestion | null {
  // A table of one column has nothing left to predict from.
  if (columns.length < 2) return null;
  const shaped = columns.map((c) => {
    const present = c.values.filter((v) => !isMissing(v)).map((v) => v.trim());
    const distinct = new Set(present).size;
    return { c, distinct, few: distinct >= 2 && distinct <= FEW_VALUES };
  });
  type Shaped = (typeof shaped)[number];
  const possible = ({ c, distinct }: Shaped) =>
    c.role !== 'identifier' && c.role !== 'ignored' && c.type !== 'date' && distinct >= 2;
  const shapeText = ({ c, distinct, few }: Shaped) =>
    few || c.type === 'text' || c.type === 'boolean'
      ? `${plural(distinct, 'different value')} in the first ${plural(c.values.length, 'row')} (classes)`
      : `${plural(distinct, 'different value')} in the first ${plural(c.values.length, 'row')} (a quantity)`;
  let found: { i: number; s: Shaped; score: number; word: string; whole: boolean } | null = null;
  for (const [i, s] of shaped.entries()) {
    const m = possible(s) ? nameMatch(s.c.header) : null;
    if (!m) continue;
    const score = (m.whole ? 2 : 0) + (s.few ? 1 : 0);
    if (!found || score >= found.score) found = { i, s, score, ...m };
  }
  if (found) {
    const why = found.whole ? `its name is a usual target name` : `its name holds "${found.word}", a usual target name`;
    return { index: found.i, reason: `suggested: the target, because ${why}; ${shapeText(found.s)}` };
  }
  const last = shaped.findLastIndex(possible);
  const s = shaped[last];
  if (!s) return null;
  return {
    index: last,
    reason: `suggested: the target, because no column has a usual target name and the ${last === columns.length - 1 ? 'last column' : 'last column that can be a target'} is where one usually is; ${shapeText(s)}`,
  };
}
