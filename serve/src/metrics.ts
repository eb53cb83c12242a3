// The few Prometheus metrics serve exposes, written in the text exposition format (0.0.4).
type Labels = Readonly<Record<string, string>>;

function render(labels: Labels): string {
  return Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
}

/** The exposition text of a label set, rendered once per distinct set (every request counts). */
const rendered = new Map<string, string>();
function key(labels: Labels): string {
  let raw = '';
  for (const k in labels) raw += `${k}\u0000${labels[k]}\u0001`;
  let out = rendered.get(raw);
  if (out === undefined) {
    out = render(labels);
    if (rendered.size < 10_000) rendered.set(raw, out);
  }
  return out;
}

export class Counter {
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

export class Histogram {
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly bounds: readonly number[]) {}
  observe(labels: Labels, value: number): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) { s = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 }; this.series.set(k, s); }
    for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]) s.buckets[i]++;
    s.sum += value;
    s.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : '';
      this.bounds.forEach((b, i) => lines.push(`${this.name}_bucket{${sep}le="${b}"} ${s.buckets[i]}`));
      lines.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`, `${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`, `${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines.join('\n');
  }
}

export class ServeMetrics {
  readonly requests = new Counter('enchilada_serve_requests_total', 'HTTP requests answered, by route and status code.');
  readonly latency = new Histogram('enchilada_serve_request_duration_seconds', 'Time from request to answer, by route.',
    [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
  readonly predictions = new Counter('enchilada_serve_predictions_total', 'Predictions stored and answered, by model name and version.');
  readonly loadErrors = new Counter('enchilada_serve_model_load_errors_total', 'Published models whose ONNX bytes failed to load, by model name.');
  readonly unseenCategories = new Counter('enchilada_serve_unseen_categories_total',
    'Values of a text feature never seen in training (encoded as infrequent or as no category), by model name and feature.');
  readonly challengerErrors = new Counter('enchilada_serve_challenger_errors_total', 'Requests a challenger could not score (the champion answered them), by model name and challenger model id.');
  readonly commits = new Counter('enchilada_serve_prediction_commits_total', 'Group commits of the prediction log.');
  readonly commitSeconds = new Histogram('enchilada_serve_prediction_commit_seconds', 'Time of one group commit (INSERT of the gathered rows, durable).',
    [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.05, 0.1, 0.5]);
  readonly commitRows = new Histogram('enchilada_serve_prediction_commit_rows', 'Predictions stored by one group commit.',
    [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2000]);

  render(): string {
    return [this.requests, this.latency, this.predictions, this.loadErrors, this.unseenCategories, this.challengerErrors, this.commits, this.commitSeconds, this.commitRows].map((m) => m.render()).join('\n') + '\n';
  }
}
