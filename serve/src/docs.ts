// OpenAPI 3 at /docs (the JSON at /docs/json), built by @fastify/swagger from the route schemas;
// the predict route gets one synthetic example request per published model, built from its input
// contract when the document is requested (so it follows publishing).
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { exampleObservation } from '@enchilada/models';
import type { ServingState } from './serving-state.js';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Enchilada prediction API',
        version: '1',
        description: 'Predictions from published models; every prediction is stored before it is answered.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: "An API key from the web app's API keys page." },
        },
      },
      security: [{ bearerAuth: [] }],
    },
  });
}

type Json = Record<string, unknown>;

export async function registerDocsUi(app: FastifyInstance, state: ServingState): Promise<void> {
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    transformSpecificationClone: true,
    transformSpecification: (spec) => {
      const doc = spec as Json;
      const op = ((doc.paths as Json | undefined)?.['/v1/models/{name}/predict'] as Json | undefined)?.post as
        Json | undefined;
      const content = ((op?.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'] as
        Json | undefined;
      if (content) {
        const examples: Json = {};
        for (const [name, s] of state.allNames()) {
          if (s.status !== 'ready') continue;
          examples[name] = {
            summary: `${name} (version ${s.model.version}, ${s.model.task})`,
            description: `POST /v1/models/${name}/predict`,
            value: { id: 'example-1', observation: exampleObservation(s.model.features, s.model.inputs) },
          };
          // the same with its contributions (models trained before explanations answer 409 no_explainer)
          examples[`${name} (explained)`] = {
            summary: `${name}: the prediction with base_value and contributions per column`,
            description: `POST /v1/models/${name}/predict with "explain": true`,
            value: {
              id: 'example-2',
              observation: exampleObservation(s.model.features, s.model.inputs),
              explain: true,
            },
          };
        }
        if (Object.keys(examples).length) content.examples = examples;
      }
      if (op) documentCsv(op);
      return doc;
    },
  });
}

/** The CSV variant of the predict route (routes/batch.ts), documented on the same operation. */
function documentCsv(op: Json): void {
  const body = op.requestBody as Json | undefined;
  const content = body?.content as Json | undefined;
  if (!content) return;
  content['text/csv'] = {
    schema: { type: 'string', format: 'binary' },
    example: 'customer,a,b\nc-1,0.5,1.2\nc-2,abc,0.3\n',
  };
  op.description = `${String(op.description ?? '')}

**Batch scoring (Content-Type: text/csv).** Send a CSV whose header names the model's feature columns; any other column is passed through. The answer is a CSV streamed as the rows are scored: every row in its order, with \`prediction\` (and \`prediction_label\` when the model names its classes), one \`probability_<class>\` column per class for classifiers, and \`error\`, which names the line and column of a row that could not be scored (\`line 3: column "a": "abc" is not a number\`); the other rows are scored. Both directions stream, so read the answer while you send (curl, Node and httpx do). Each scored row is logged, before it is answered, with the batch's id (response header \`X-Batch-Id\`) and an id: the value of the column named by \`id_column\` (unique per name; an id already logged is an error on its row), else \`b<batch>-<line>\` in an added \`prediction_id\` column, which \`/outcomes\` takes. \`log=false\` logs nothing. HTTP trailers \`X-Batch-Rows\`, \`X-Batch-Scored\`, \`X-Batch-Errors\`, \`X-Batch-Status\` sum it up; if the batch stops part way (over \`SERVE_BATCH_MAX_ROWS\` rows, default 2,000,000, or \`SERVE_BATCH_MAX_MB\`, default 512; a CSV that cannot be read further; the database), its last row says where and why in \`error\`. One CSV request counts as one request for the rate limit.

    curl -sS --data-binary @rows.csv -H 'Content-Type: text/csv' -H 'Authorization: Bearer <key>' '<serve>/v1/models/<name>/predict?id_column=customer' > scored.csv`;
  const params = (op.parameters as Json[] | undefined) ?? [];
  op.parameters = [
    ...params,
    {
      name: 'id_column',
      in: 'query',
      required: false,
      schema: { type: 'string' },
      description: "CSV only: the column whose values are the rows' ids in the prediction log (else generated)",
    },
    {
      name: 'log',
      in: 'query',
      required: false,
      schema: { type: 'boolean', default: true },
      description: 'CSV only: false logs nothing',
    },
  ];
  const ok = (op.responses as Json | undefined)?.['200'] as Json | undefined;
  const okContent = ok?.content as Json | undefined;
  if (okContent)
    okContent['text/csv'] = {
      schema: { type: 'string' },
      example:
        'customer,a,b,prediction,probability_0,probability_1,error\nc-1,0.5,1.2,1,0.2,0.8,\nc-2,abc,0.3,,,,"line 3: column ""a"": ""abc"" is not a number"\n',
    };
}
