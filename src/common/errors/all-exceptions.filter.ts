import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errorEnvelope, headersOf, httpStatusOf } from './app-error';
import { describeError } from '../logging/safe-error';
import { isDatabaseUnavailable, isTransientConflict, isUnstorableText } from './database-errors';
import { ERROR_STATUS, ErrorCode, ErrorStatusOverrides } from './error-codes';

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own errors (body parsing, limits) carry a code and a statusCode. */
interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Content-Type must be application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Body must not be empty when Content-Type is application/json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Body is not valid JSON',
};

/**
 * Renders every failure as the contract's error envelope (§1): AppErrors, Nest HTTP exceptions, throttling,
 * Fastify's body errors, an unreachable database (503) and anything unknown (500, no details). Every 5xx
 * is logged with its request id and describeError's fields (class, SQLSTATE, constraint), never its text.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const error = this.toAppError(exception, request);

    if (error.status >= 500) {
      // contract §12: never the exception's message or stack text (Drizzle's carry the query's params)
      const route = request.routeOptions?.url ?? 'unknown route';
      this.logger.error({
        msg: `${error.code} on ${request.method} ${route}`,
        reqId: String(request.id),
        errorCode: error.code,
        // the frames help with the unexpected; a 503 is explained by its class and code
        err: describeError(exception, { stack: error.code === 'INTERNAL_ERROR' }),
      });
    }
    if (reply.sent) return;

    const route = request.routeOptions?.config as ErrorStatusOverrides | undefined;
    void reply
      .status(httpStatusOf(error, route))
      .headers(headersOf(error))
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorEnvelope(error, route));
  }

  private toAppError(exception: unknown, request: FastifyRequest): AppError {
    if (exception instanceof AppError) return exception;
    if (exception instanceof ThrottlerException)
      return new AppError('RATE_LIMITED', 'Too many requests, slow down');
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404)
        return new AppError('NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`);
      const code = STATUS_CODES[status];
      if (code !== undefined) return new AppError(code, exception.message);
    }
    const fastifyError = exception as FastifyLikeError;
    if (typeof fastifyError?.code === 'string' && fastifyError.code.startsWith('FST_')) {
      const status = fastifyError.statusCode ?? 500;
      const code = STATUS_CODES[status] ?? (status < 500 ? 'VALIDATION_FAILED' : 'INTERNAL_ERROR');
      if (ERROR_STATUS[code] < 500)
        return new AppError(code, FASTIFY_MESSAGES[fastifyError.code] ?? 'Malformed request');
    }
    if (
      exception instanceof SyntaxError &&
      (fastifyError.statusCode === 400 || /JSON/.test(exception.message))
    ) {
      return new AppError('VALIDATION_FAILED', 'Body is not valid JSON');
    }
    if (isUnstorableText(exception)) {
      return new AppError('VALIDATION_FAILED', 'Text fields must not contain NUL or invalid characters');
    }
    if (isTransientConflict(exception)) {
      return new AppError(
        'SERVICE_UNAVAILABLE',
        'A concurrent change got in the way; nothing was saved, please retry',
      );
    }
    if (isDatabaseUnavailable(exception)) {
      return new AppError('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable, please retry');
    }
    return new AppError('INTERNAL_ERROR', 'An unexpected error occurred');
  }
}
