// /metrics under SERVE_WORKERS > 1. The cluster's workers share one port, so a scrape reaches one
// worker at random; that worker asks the primary over the cluster's IPC channel, and the primary
// gathers every worker's registry with prom-client's AggregatorRegistry (counters and histograms
// summed) and answers. prom-client's own example serves the sum on a second port instead; asking
// through the worker keeps one URL for probes, Prometheus and the Kubernetes manifests.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

const REQUEST = 'enchilada:metrics-request';
const ANSWER = 'enchilada:metrics-answer';
/** prom-client's own wait for the workers' answers is 5 s; a scrape waits a little longer for the primary. */
const ANSWER_TIMEOUT_MS = 6000;

interface Request {
  readonly type: typeof REQUEST;
  readonly id: number;
}
interface Answer {
  readonly type: typeof ANSWER;
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

const isRequest = (m: unknown): m is Request =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === REQUEST;
const isAnswer = (m: unknown): m is Answer =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === ANSWER;

/** In the primary: answers the workers' requests with the sum over all workers. */
export function answerClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isRequest(message)) return;
    const reply = (a: Omit<Answer, 'type' | 'id'>): void => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...a });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (err: unknown) => reply({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

/**
 * In a worker: offers this registry to the primary's aggregation, and returns the function /metrics
 * calls for the cluster's sum. Outside a cluster, null: /metrics answers with the process's own.
 */
export function clusterMetricsSource(registry: Registry): (() => Promise<string>) | null {
  if (!cluster.isWorker || !process.send) return null;
  // The constructor installs prom-client's listener for the primary's requests in this worker.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  let next = 0;
  const pending = new Map<
    number,
    { resolve: (t: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  process.on('message', (message: unknown) => {
    if (!isAnswer(message)) return;
    const p = pending.get(message.id);
    if (!p) return;
    pending.delete(message.id);
    clearTimeout(p.timer);
    if (message.text !== undefined) p.resolve(message.text);
    else p.reject(new Error(`the cluster's metrics could not be gathered: ${message.error ?? 'no answer'}`));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the primary did not answer with the cluster's metrics within ${ANSWER_TIMEOUT_MS} ms`));
      }, ANSWER_TIMEOUT_MS);
      pending.set(id, { resolve, reject, timer });
      process.send?.({ type: REQUEST, id } satisfies Request);
    });
}
