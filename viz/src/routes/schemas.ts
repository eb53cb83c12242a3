// Route schemas several viz routes share, written once: the ids a document or job is named by.

/** A row id of a table (dataset, model, job): a positive integer (fastify coerces the string). */
export const positiveId = { type: 'integer', minimum: 1 } as const;

/** `/:id` in a path. */
export const idParams = { type: 'object', required: ['id'], properties: { id: positiveId } } as const;

/** `?dataset=N`: the document of one dataset. */
export const datasetQuery = { type: 'object', required: ['dataset'], properties: { dataset: positiveId } } as const;

/** `?model=N`: the document of one trained model. */
export const modelQuery = { type: 'object', required: ['model'], properties: { model: positiveId } } as const;
