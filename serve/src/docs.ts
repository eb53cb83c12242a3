// OpenAPI 3 at /docs (the JSON at /docs/json), built by @fastify/swagger from the route schemas;
// the predict route gets one example request per published model, built from its features when
// the document is requested (so it follows publishing).
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { LiveModel, ServingState } from './serving-state.js';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Enchilada prediction API', version: '1', description: 'Predictions from published models; every prediction is stored before it is answered.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key from the web app\'s API keys page.' } } },
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
      const op = ((doc.paths as Json | undefined)?.['/v1/models/{name}/predict'] as Json | undefined)?.post as Json | undefined;
      const content = ((op?.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined;
      if (content) {
        const examples: Json = {};
        for (const [name, s] of state.allNames()) {
          if (s.status !== 'ready') continue;
          examples[name] = {
            summary: `${name} (version ${s.model.version}, ${s.model.task})`,
            description: `POST /v1/models/${name}/predict`,
            // A training row of the model when its dataset still holds it, else zeros to fill in.
            value: { id: 'example-1', observation: s.model.example ?? placeholderObservation(s.model) },
          };
        }
        if (Object.keys(examples).length) content.examples = examples;
      }
      return doc;
    },
  });
}

/** An observation of the right shape when no training row is at hand: zeros, the first known category, a date. */
function placeholderObservation(model: LiveModel): Record<string, number | string | null> {
  if (!model.inputs) return Object.fromEntries(model.features.map((f) => [f, 0]));
  return Object.fromEntries(model.inputs.map((c) => [c.name, c.kind === 'numeric' ? 0 : c.kind === 'categorical' ? c.categories[0] ?? null : '2024-01-01']));
}
