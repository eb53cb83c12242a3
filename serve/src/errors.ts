// Maps every failure to one JSON shape: {message, code, field?}. A database failure is a 503
// (nothing was stored, nothing acknowledged), never a 500.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, httpStatus, isDatabaseError } from '@enchilada/core';

export { UnavailableError, isDatabaseError } from '@enchilada/core';

export async function errorHandler(
  err: FastifyError | HttpError,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  if (!(err instanceof HttpError) && isDatabaseError(err)) {
    req.log.error({ err }, 'database unavailable');
    await reply
      .code(503)
      .send({ message: 'the database is unavailable: nothing was stored, try again', code: 'unavailable' });
    return;
  }
  const status = httpStatus(err);
  if (status >= 500) req.log.error({ err }, 'request failed');
  const code =
    err instanceof HttpError
      ? err.code
      : status === 413
        ? 'body_too_large'
        : status === 415
          ? 'unsupported_media_type'
          : status === 429
            ? 'rate_limited'
            : status >= 500
              ? 'error'
              : 'bad_request';
  const message =
    status >= 500 && !(err instanceof HttpError) ? 'something went wrong on our side; it has been logged' : err.message;
  const field = (err as { field?: unknown }).field;
  const extra = (err as { body?: unknown }).body;
  await reply.code(status).send({
    message,
    code,
    ...(typeof field === 'string' ? { field } : {}),
    ...(extra && typeof extra === 'object' ? extra : {}),
  });
}
