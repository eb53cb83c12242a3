// Typed errors with an HTTP status: thrown anywhere, mapped to a response once, in each app's error handler.
export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string, readonly code = 'error') {
    super(message);
    this.name = 'HttpError';
  }
}
export class BadRequestError extends HttpError {
  constructor(message: string, readonly field?: string) { super(400, message, 'bad_request'); }
}
export class UnauthorizedError extends HttpError {
  constructor(message = 'sign in required') { super(401, message, 'unauthorized'); }
}
export class ForbiddenError extends HttpError {
  constructor(message = 'not allowed') { super(403, message, 'forbidden'); }
}
export class NotFoundError extends HttpError {
  constructor(message = 'not found') { super(404, message, 'not_found'); }
}
export class ConflictError extends HttpError {
  constructor(message: string) { super(409, message, 'conflict'); }
}
/** A per-user quota is used up: the message says which and how to free it. */
export class TooManyRequestsError extends HttpError {
  constructor(message: string) { super(429, message, 'quota'); }
}

/** A problem with configuration or secrets: start-up stops with this message. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
