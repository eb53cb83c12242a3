// The ready-to-run curl lines the pages show (Published page: the tutorial's requests; API keys
// page: a keyed request), with the synthetic example observation serve's /docs shows too.
import { exampleObservation, type ModelInput } from '@enchilada/models';

/** What an example request needs to know of the model a name serves. */
export interface ExampleModel {
  readonly task: 'classification' | 'regression';
  readonly features: readonly string[];
  readonly inputs: readonly ModelInput[] | null;
  readonly classes: readonly string[] | null;
}

/**
 * JSON as the tutorial writes it (and Python's json.dumps prints it): `{"id": 0, "observation": {…}}`,
 * with ", " and ": " between items; strings and numbers as JSON.stringify writes them.
 */
export function tutorialJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(tutorialJson).join(', ')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${tutorialJson(x)}`)
      .join(', ')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** One shell word in single quotes; a quote inside (a category such as O'Brien) is closed, escaped and reopened. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A class as the tutorial sends it: a number when the class is one (`1`), else its text. */
function classValue(c: string): string | number {
  return /^-?\d+(\.\d+)?$/.test(c) ? Number(c) : c;
}

/** The tutorial's two requests, exactly as its README writes them, against `serveUrl`. */
export function tutorialRequests(serveUrl: string, model: ExampleModel): { predict: string; update: string } {
  const observation = exampleObservation(model.features, model.inputs);
  // The tutorial's true_class is 1: the positive class of a binary classifier; here the model's second (or only) class, or 1 for a regressor.
  const positive = model.task === 'classification' ? model.classes?.[Math.min(1, model.classes.length - 1)] : undefined;
  const trueClass = positive === undefined ? 1 : classValue(positive);
  const curl = (body: unknown, path: string) =>
    `curl -X POST -H "Content-Type: application/json" -d ${shellQuote(tutorialJson(body))} ${serveUrl}${path}`;
  return {
    predict: curl({ id: 0, observation }, '/predict'),
    update: curl({ id: 0, true_class: trueClass }, '/update'),
  };
}

/** A keyed prediction request for `name` (the key is inlined: the page shows it only once anyway). */
export function keyedRequest(serveUrl: string, name: string, key: string, model: ExampleModel): string {
  const body = { id: 'example-1', observation: exampleObservation(model.features, model.inputs) };
  return `curl -X POST -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" -d ${shellQuote(tutorialJson(body))} ${serveUrl}/v1/models/${name}/predict`;
}

/** serve's address as the browser's user reaches it: SERVE_PUBLIC_URL, else this page's host name with serve's port. */
export function serveAddress(publicUrl: string, protocol: string, hostname: string, port: number): string {
  if (publicUrl) return publicUrl;
  // An IPv6 literal needs its brackets back in a URL.
  const host = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
  return `${protocol}://${host}:${port}`;
}
