// Batch scoring from a published name's page and a model's page: upload a CSV (multipart, to the
// upload store), then score it — serve's answer streamed back as the scored CSV (see
// serving/batch-scoring.ts). For the name's owner, the owner of the model it serves, or an administrator.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import multipart from '@fastify/multipart';
import { BadRequestError, ForbiddenError, NotFoundError } from '@enchilada/core';
import type { UploadStore } from '@enchilada/data';
import { MODEL_NAME, type ModelRegistry, type PublishedModels, type PublishedName } from '@enchilada/models';
import { signedIn } from '../plugins/guard.js';
import type { BatchScoring } from '../serving/batch-scoring.js';

export interface BatchRouteOptions {
  readonly published: PublishedModels;
  readonly registry: ModelRegistry;
  readonly uploads: UploadStore;
  readonly scoring: BatchScoring;
}

const name = Type.String({ pattern: MODEL_NAME.source, maxLength: 64 });
const nameParams = Type.Object({ name });
const uploadParams = Type.Object({ name, upload: Type.String({ pattern: '^[0-9a-f]{32}$' }) });
/** The form's id column and CSRF token; a JSON client may send null (a raw schema, typed by hand once). */
const scoreBody = Type.Unsafe<{ id_column?: string; _csrf?: string } | null>({
  type: ['object', 'null'],
  properties: { id_column: { type: 'string', maxLength: 255 }, _csrf: { type: 'string' } },
});

export default async function batchRoutes(instance: FastifyInstance, opts: BatchRouteOptions): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { published, registry, uploads, scoring } = opts;
  await app.register(multipart, { limits: { fileSize: uploads.maxBytes, files: 1, fields: 2, parts: 3 } });

  /** The name, if this user may score with it: its owner, the owner of the model it serves, or an administrator. */
  async function scorable(req: FastifyRequest, name: string): Promise<PublishedName> {
    const p = (await published.list()).find((n) => n.name === name);
    if (!p) throw new NotFoundError(`nothing is published under the name "${name}"`);
    const user = signedIn(req);
    if (user.role === 'admin' || p.ownerId === user.id) return p;
    const model = await registry.get(p.modelId);
    if (model?.createdBy === user.id) return p;
    throw new ForbiddenError(
      `only the owner of "${name}", the owner of the model it serves, or an administrator can batch-score with it`,
    );
  }

  app.post('/published/:name/batch/uploads', { schema: { params: nameParams } }, async (req, reply) => {
    await scorable(req, req.params.name);
    const file = await req.file();
    if (!file) throw new BadRequestError('attach a CSV file in the field "file"', 'file');
    if (!/\.(csv|txt)$/i.test(file.filename)) {
      file.file.resume();
      throw new BadRequestError('the file must be a .csv file', 'file');
    }
    const id = await uploads.save(file.file, file.filename, signedIn(req).id, () => file.file.truncated);
    const meta = await uploads.meta(id, signedIn(req));
    return reply.code(201).send({ upload: id, bytes: meta.bytes, fileName: meta.fileName });
  });

  app.post(
    '/published/:name/batch/:upload',
    {
      schema: { params: uploadParams, body: scoreBody },
    },
    async (req, reply) => {
      const p = await scorable(req, req.params.name);
      const meta = await uploads.meta(req.params.upload, signedIn(req));
      const idColumn = req.body?.id_column?.trim() || null;
      const out = await scoring.score(p.name, req.params.upload, idColumn, signedIn(req));
      const file =
        meta.fileName
          .replace(/\.(csv|txt)$/i, '')
          .replace(/[^A-Za-z0-9._-]+/g, '_')
          .slice(0, 100) || 'batch';
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${file}-scored-${p.name}.csv"`)
        .header('x-batch-id', out.batchId ?? '')
        .send(out.body);
    },
  );
}
