// Typed errors with an HTTP status: thrown anywhere, mapped to a response once, in each app's error handler.
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly code = 'error',
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
export class BadRequestError extends HttpError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(400, message, 'bad_request');
  }
}
export class UnauthorizedError extends HttpError {
  constructor(message = 'sign in required') {
    super(401, message, 'unauthorized');
  }
}
export class ForbiddenError extends HttpError {
  constructor(message = 'not allowed') {
    super(403, message, 'forbidden');
  }
}
export class NotFoundError extends HttpError {
  constructor(message = 'not found') {
    super(404, message, 'not_found');
  }
}
export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, message, 'conflict');
  }
}
/** A per-user quota is used up: the message says which and how to free it. */
export class TooManyRequestsError extends HttpError {
  constructor(message: string) {
    super(429, message, 'quota');
  }
}

/** A dependency (the database, a model) cannot answer now: nothing was stored, the client may retry. */
export class UnavailableError extends HttpError {
  constructor(message: string) {
    super(503, message, 'unavailable');
  }
}

/**
 * The HTTP status an error answers with, in every app's error handler: its own `statusCode` when that
 * is a 4xx or 5xx (our HttpErrors, fastify's validation and plugin errors), else 500.
 */
export function httpStatus(err: object): number {
  const s = (err as { statusCode?: unknown }).statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
}

const DB_CODES = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|PROTOCOL_|ER_|POOL_)/;

/** A failure of the database connection or of a statement (mysql2's codes), not of the request. */
export function isDatabaseError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; sqlState?: unknown };
  return typeof e.sqlState === 'string' || (typeof e.code === 'string' && DB_CODES.test(e.code));
}

/** A problem with configuration or secrets: start-up stops with this message. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
