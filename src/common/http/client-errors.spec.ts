import { clientErrorFor, frameworkErrorFor } from './client-errors';

describe('errors before routing', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 'HEADERS_TOO_LARGE', 431],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'REQUEST_TIMEOUT', 408],
    ['HPE_INVALID_METHOD', 'VALIDATION_FAILED', 400],
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 'VALIDATION_FAILED', 400],
    [undefined, 'VALIDATION_FAILED', 400],
  ])("answers Node's parser error %s with %s (%i)", (parserCode, code, status) => {
    const error = clientErrorFor(parserCode);
    expect({ code: error.code, status: error.status }).toEqual({ code, status });
  });

  it.each([
    ['FST_ERR_BAD_URL', 'VALIDATION_FAILED'],
    ['FST_ERR_MAX_PARAM_LENGTH', 'VALIDATION_FAILED'],
    ['FST_ERR_ASYNC_CONSTRAINT', 'INTERNAL_ERROR'],
  ])("answers the router's %s with %s", (fastifyCode, code) => {
    expect(frameworkErrorFor(fastifyCode).code).toBe(code);
  });
});
