// Route schemas shared by several route modules, written once (TypeBox: each is also its type).
import { Type } from 'typebox';

/** `/:id` in a path: a positive integer (fastify coerces the string). */
export const idParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
