// The Prometheus metrics serve exposes, kept by prom-client (text exposition format 0.0.4).
// Each app has its own registry (tests build several apps in one process). With SERVE_WORKERS > 1
// the port is shared by a Node cluster, so the worker that answers /metrics asks the primary for
// the sum over every worker (prom-client's AggregatorRegistry, see cluster-metrics.ts) instead of
// answering with its own counts only.
import { Counter, Histogram, Registry } from 'prom-client';

export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests = this.counter(
    'enchilada_serve_requests_total',
    'HTTP requests answered, by route and status code.',
    ['route', 'code'],
  );
  readonly latency = this.histogram(
    'enchilada_serve_request_duration_seconds',
    'Time from request to answer, by route.',
    ['route'],
    [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  readonly predictions = this.counter(
    'enchilada_serve_predictions_total',
    'Predictions stored and answered, by model name and version.',
    ['model', 'version'],
  );
  readonly loadErrors = this.counter(
    'enchilada_serve_model_load_errors_total',
    'Published models whose ONNX bytes failed to load, by model name.',
    ['model'],
  );
  readonly unseenCategories = this.counter(
    'enchilada_serve_unseen_categories_total',
    'Values of a text feature never seen in training (encoded as infrequent or as no category), by model name and feature.',
    ['model', 'feature'],
  );
  readonly challengerErrors = this.counter(
    'enchilada_serve_challenger_errors_total',
    'Requests a challenger could not score (the champion answered them), by model name and challenger model id.',
    ['model', 'model_id'],
  );
  readonly commits = this.counter(
    'enchilada_serve_prediction_commits_total',
    'Group commits of the prediction log.',
    [],
  );
  readonly commitSeconds = this.histogram(
    'enchilada_serve_prediction_commit_seconds',
    'Time of one group commit (INSERT of the gathered rows, durable).',
    [],
    [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.05, 0.1, 0.5],
  );
  readonly commitRows = this.histogram(
    'enchilada_serve_prediction_commit_rows',
    'Predictions stored by one group commit.',
    [],
    [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2000],
  );

  /** This process's metrics in the exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}
