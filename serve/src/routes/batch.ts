// POST /v1/models/:name/predict with Content-Type text/csv: batch scoring (see batch-scoring.ts).
// The same URL as the JSON route, told apart by a route constraint on the content type, and
// registered inside the /v1 plugin so the API-key check and the per-key rate limit apply as they are.
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { HttpError } from '@enchilada/core';
import type { PredictionBatches } from '@enchilada/models';
import { openBatch, type BatchSummary } from '../batch-scoring.js';
import type { ServeMetrics } from '../metrics.js';
import type { PredictionService } from '../prediction-service.js';

export interface BatchRouteOptions {
  readonly service: PredictionService;
  readonly batches: PredictionBatches;
  readonly metrics: ServeMetrics;
  /** Most data rows and bytes in one CSV (SERVE_BATCH_MAX_ROWS, SERVE_BATCH_MAX_MB). */
  readonly limits: { readonly maxRows: number; readonly maxBytes: number };
}

type Strategy = Parameters<FastifyInstance['addConstraintStrategy']>[0];
type Handler = NonNullable<ReturnType<ReturnType<Strategy['storage']>['get']>>;

const CSV = /^\s*text\/csv\s*(;|$)/i;
export const isCsv = (contentType: unknown): boolean => typeof contentType === 'string' && CSV.test(contentType);

export default async function batchRoutes(instance: FastifyInstance, opts: BatchRouteOptions): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { service, batches, metrics, limits } = opts;
  if (!app.hasConstraintStrategy('csv')) {
    app.addConstraintStrategy({
      name: 'csv',
      storage() {
        const m = new Map<unknown, Handler>();
        return {
          get: (k: unknown) => m.get(k) ?? null,
          set: (k: unknown, v: Handler) => {
            m.set(k, v);
          },
        };
      },
      deriveConstraint: (req) => (isCsv(req.headers['content-type']) ? 'yes' : undefined),
      // A CSV request to a route with no CSV variant goes to that route (which answers 415).
      mustMatchWhenDerived: false,
    });
  }
  // The body is read by the route, as it arrives.
  app.addContentTypeParser('text/csv', (_req, payload, done) => {
    done(null, payload);
  });

  app.post(
    '/v1/models/:name/predict',
    {
      constraints: { csv: 'yes' },
      schema: {
        // Documented with the JSON route's operation (docs.ts), whose path this shares.
        hide: true,
        params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }),
        querystring: Type.Object(
          {
            id_column: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
            log: Type.Optional(Type.Boolean({ default: true })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const length = Number(req.headers['content-length']);
      if (Number.isFinite(length) && length > limits.maxBytes) {
        throw new HttpError(
          413,
          `the CSV is larger than ${Math.round(limits.maxBytes / 1048576)} MB, the most one request may send (SERVE_BATCH_MAX_MB)`,
          'body_too_large',
        );
      }
      const model = service.model(req.params.name);
      const q = req.query;
      const batch = await openBatch(
        model,
        req.body as Readable,
        { idColumn: q.id_column ?? null, log: q.log ?? true, ...limits },
        { batches, metrics },
      );
      const out = new PassThrough();
      const done: Promise<BatchSummary> = batch.run(out);
      done.then(
        (s) => {
          if (s.status === 'failed')
            req.log.warn({ batch: s.batchId, message: s.message }, 'batch scoring stopped part way');
        },
        (err: unknown) => req.log.error({ err }, 'batch scoring failed'),
      );
      const summary = (pick: (s: BatchSummary) => string | number | null) => async () => {
        const v = pick(await done);
        return v === null ? '' : String(v);
      };
      return (
        reply
          .type('text/csv; charset=utf-8')
          .header('x-model-name', model.name)
          .header('x-model-version', String(model.version))
          .header('x-batch-id', batch.batchId === null ? 'not logged' : String(batch.batchId))
          // Read by clients that show trailers (curl --raw); the last row of the CSV says the same on a failure.
          .trailer(
            'x-batch-rows',
            summary((s) => s.rows),
          )
          .trailer(
            'x-batch-scored',
            summary((s) => s.scored),
          )
          .trailer(
            'x-batch-errors',
            summary((s) => s.errors),
          )
          .trailer(
            'x-batch-status',
            summary((s) => s.status),
          )
          .send(out)
      );
    },
  );
}
