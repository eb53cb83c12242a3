import {
  BadRequestError,
  HttpError,
  NotFoundError,
  UnavailableError,
  httpStatus,
  isDatabaseError,
} from '../src/errors.js';

describe('httpStatus', () => {
  it("answers with an error's own 4xx or 5xx status", () => {
    expect(httpStatus(new BadRequestError('x'))).toBe(400);
    expect(httpStatus(new NotFoundError())).toBe(404);
    expect(httpStatus(new UnavailableError('down'))).toBe(503);
    expect(httpStatus({ statusCode: 413 })).toBe(413);
  });

  it('answers 500 for an error without a status, or with one that is no error status', () => {
    expect(httpStatus(new Error('boom'))).toBe(500);
    expect(httpStatus({ statusCode: 302 })).toBe(500);
    expect(httpStatus({ statusCode: 600 })).toBe(500);
    expect(httpStatus({ statusCode: '404' })).toBe(500);
  });
});

describe('isDatabaseError', () => {
  it('knows mysql2 failures by their SQL state or code', () => {
    expect(isDatabaseError({ code: 'ER_NO_SUCH_TABLE', sqlState: '42S02' })).toBe(true);
    expect(isDatabaseError({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isDatabaseError({ code: 'PROTOCOL_CONNECTION_LOST' })).toBe(true);
  });

  it('leaves every other failure alone', () => {
    expect(isDatabaseError(new HttpError(400, 'bad'))).toBe(false);
    expect(isDatabaseError({ code: 'FST_ERR_VALIDATION' })).toBe(false);
    expect(isDatabaseError(null)).toBe(false);
    expect(isDatabaseError('ER_X')).toBe(false);
  });
});
