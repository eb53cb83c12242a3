// What a published name promises its API clients: the task and the columns it reads, each of a
// kind. A new version of a name should keep that promise; schemaChanges says, in words a person
// can act on, what a new model would break.
import type { ModelInput } from './model-inputs.js';

export interface ModelSchema {
  readonly task: 'classification' | 'regression';
  readonly features: readonly string[];
  /** null: a model of before mixed tables, which reads its features as numbers in this order. */
  readonly inputs: readonly ModelInput[] | null;
}

function kinds(s: ModelSchema): Map<string, string> {
  return new Map(s.inputs ? s.inputs.map((i) => [i.name, i.kind]) : s.features.map((f) => [f, 'numeric']));
}

const list = (names: readonly string[]) => names.map((n) => JSON.stringify(n)).join(', ');

/** Each difference a client of the name would notice going from `from` to `to`; empty when none. */
export function schemaChanges(from: ModelSchema, to: ModelSchema): string[] {
  const out: string[] = [];
  if (from.task !== to.task) out.push(`the task changes from ${from.task} to ${to.task}`);
  const a = kinds(from);
  const b = kinds(to);
  const added = [...b.keys()].filter((k) => !a.has(k));
  const removed = [...a.keys()].filter((k) => !b.has(k));
  if (added.length) out.push(`new column${added.length > 1 ? 's' : ''} clients must send: ${list(added)}`);
  if (removed.length) out.push(`column${removed.length > 1 ? 's' : ''} no longer read: ${list(removed)}`);
  for (const [k, kind] of a) {
    const next = b.get(k);
    if (next !== undefined && next !== kind) out.push(`column ${JSON.stringify(k)} changes from ${kind} to ${next}`);
  }
  return out;
}
