// Route schemas shared by several route modules, written once.

/** `/:id` in a path: a positive integer (fastify coerces the string). */
export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

