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
            value: { id: 'example-1', observation: exampleObservation(s.model.features, s.model.inputs) },
          };
          // the same with its contributions (models trained before explanations answer 409 no_explainer)
          examples[`${name} (explained)`] = {
            summary: `${name}: the prediction with base_value and contributions per column`,
            description: `POST /v1/models/${name}/predict with "explain": true`,
            value: { id: 'example-2', observation: exampleObservation(s.model.features, s.model.inputs), explain: true },
          };
        }
        if (Object.keys(examples).length) content.examples = examples;
      }
      return doc;
    },
  });
}
