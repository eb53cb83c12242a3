// Names for the classes of a dataset's target ({"0": "malignant", "1": "benign"}): shipped with a
// toy dataset or set by its owner, copied into each model trained from it, shown wherever classes
// are and added to the prediction API's answers. The class values themselves never change.
import { BadRequestError } from '@enchilada/core';

export type ClassLabels = Readonly<Record<string, string>>;

export const MAX_LABEL = 64;
// Printable text, no control characters or line breaks (a label ends up in legends and JSON).
const LABEL = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u;

/**
 * `input` checked against the dataset's classes: every key a class of the target, every name 1–64
 * printable characters and used once; a blank name removes that class's name. Null when no name is
 * left. Errors name the class.
 */
export function checkClassLabels(
  classes: readonly string[] | null,
  input: Readonly<Record<string, unknown>>,
): ClassLabels | null {
  if (!classes || classes.length === 0)
    throw new BadRequestError('only a classification dataset with a target has classes to name', 'labels');
  const out: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const [cls, raw] of Object.entries(input)) {
    if (!classes.includes(cls))
      throw new BadRequestError(
        `${JSON.stringify(cls)} is not a class of the target (its classes: ${classes.map((c) => JSON.stringify(c)).join(', ')})`,
        `labels.${cls}`,
      );
    if (typeof raw !== 'string')
      throw new BadRequestError(`the name of class ${JSON.stringify(cls)} must be text`, `labels.${cls}`);
    const name = raw.trim();
    if (name === '') continue;
    if (name.length > MAX_LABEL)
      throw new BadRequestError(
        `the name of class ${JSON.stringify(cls)} is longer than ${MAX_LABEL} characters`,
        `labels.${cls}`,
      );
    if (!LABEL.test(name))
      throw new BadRequestError(
        `the name of class ${JSON.stringify(cls)} holds a control character or line break`,
        `labels.${cls}`,
      );
    const other = seen.get(name.toLowerCase());
    if (other !== undefined)
      throw new BadRequestError(
        `classes ${JSON.stringify(other)} and ${JSON.stringify(cls)} would have the same name ${JSON.stringify(name)}`,
        `labels.${cls}`,
      );
    seen.set(name.toLowerCase(), cls);
    out[cls] = name;
  }
  return Object.keys(out).length ? out : null;
}

/** The classes of a dataset's target, from its statistics (missing is not a class). */
export function targetClasses(
  stats: { readonly classCounts: readonly { readonly value: string }[] | null } | null,
): string[] | null {
  return stats?.classCounts ? stats.classCounts.map((c) => c.value).filter((v) => v !== '(missing)') : null;
}

/** "benign (1)" where the class has a name, else the class itself. */
export const labelled = (labels: ClassLabels | null | undefined, cls: string): string =>
  labels?.[cls] ? `${labels[cls]} (${cls})` : cls;
