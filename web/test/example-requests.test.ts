import { execFileSync } from 'node:child_process';
import type { ModelInput } from '@enchilada/models';
import { serveAddress, shellQuote, tutorialJson, tutorialRequests } from '../src/serving/example-requests.js';

const inputs: ModelInput[] = [
  { name: 'Age', kind: 'numeric', onnx: 'X', index: 0, imputed: 28 },
  {
    name: 'Name',
    kind: 'categorical',
    onnx: 'Name',
    categories: ["O'Brien, Mr. Timothy"],
    imputed: "O'Brien, Mr. Timothy",
  },
];

describe('the example requests the pages show', () => {
  it('write JSON as the tutorial does, with ", " and ": " between items, also inside strings untouched', () => {
    expect(tutorialJson({ id: 0, observation: { a: 1.5, b: 'x, y: z', c: null } })).toBe(
      '{"id": 0, "observation": {"a": 1.5, "b": "x, y: z", "c": null}}',
    );
    expect(JSON.parse(tutorialJson({ id: 0, list: [1, 'a"b'] }))).toEqual({ id: 0, list: [1, 'a"b'] });
  });

  it('quote the body for the shell so a value with a quote reaches the server intact', () => {
    const word = shellQuote(tutorialJson({ name: "O'Brien" }));
    expect(execFileSync('/bin/sh', ['-c', `printf %s ${word}`], { encoding: 'utf8' })).toBe('{"name": "O\'Brien"}');
  });

  it("give a binary classifier the tutorial's true_class 1 and a class with a name its name", () => {
    const m = { task: 'classification', features: ['Age', 'Name'], inputs, classes: ['0', '1'] } as const;
    expect(tutorialRequests('http://h:8000', m).update).toBe(
      'curl -X POST -H "Content-Type: application/json" -d \'{"id": 0, "true_class": 1}\' http://h:8000/update',
    );
    expect(
      tutorialRequests('http://h:8000', { ...m, classes: ['setosa', 'versicolor', 'virginica'] }).update,
    ).toContain('"true_class": "versicolor"');
    expect(tutorialRequests('http://h:8000', m).predict).toBe(
      `curl -X POST -H "Content-Type: application/json" -d '{"id": 0, "observation": {"Age": 28, "Name": "O'\\''Brien, Mr. Timothy"}}' http://h:8000/predict`,
    );
  });

  it("address serve by SERVE_PUBLIC_URL, else by the page's host with serve's port (IPv6 in brackets)", () => {
    expect(serveAddress('https://predict.example.com', 'http', 'web', 8000)).toBe('https://predict.example.com');
    expect(serveAddress('', 'http', 'ml.local', 8000)).toBe('http://ml.local:8000');
    expect(serveAddress('', 'http', '::1', 8000)).toBe('http://[::1]:8000');
    expect(serveAddress('', 'http', '[::1]', 8000)).toBe('http://[::1]:8000');
  });
});
