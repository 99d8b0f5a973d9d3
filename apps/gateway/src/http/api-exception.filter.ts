import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { Response } from 'express';
import { UpstreamError } from '@fleetplane/service-kit/grpc';
import { fieldError } from './field-error.js';
import { RateLimitedException } from './rate-limited.exception.js';
import { grpcToHttp, reasonPhrase, type HttpErrorBody } from './grpc-http.js';

/** What every 4xx and 5xx of the API carries: the error and the trace to look it up by. */
export interface ApiErrorBody extends HttpErrorBody {
  /** The active trace id (32 hex digits), as in the logs' `trace_id`; null only for an untraced request. */
  traceId: string | null;
}

/** The active span's trace id, the one the request's logs and spans carry. */
export function activeTraceId(): string | null {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? span.traceId : null;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * An HttpException's answer in the one shape, whatever it was built from: a plain string
 * (`new NotFoundException('x')`, `new HttpException('x', 418)`), Nest's own
 * `{statusCode, message, error}` (whose message may be a list), or a field error.
 */
function fromHttpException(err: HttpException): HttpErrorBody {
  const status = err.getStatus();
  const raw = err.getResponse();
  const obj = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const listed = Array.isArray(obj.message) ? obj.message.filter((m): m is string => typeof m === 'string').join('; ') : undefined;
  const message = str(raw) ?? str(obj.message) ?? str(listed) ?? str(err.message) ?? reasonPhrase(status);
  const field = str(obj.field);
  return { statusCode: status, error: reasonPhrase(status), message, ...(field ? { field } : {}) };
}

/**
 * body-parser's errors and their status, if `err` is one: http-errors with a `type`
 * (entity.too.large, charset.unsupported, …) or, for a stream that cannot be read (a
 * gzip body that is not), the stream's own error marked with `expose`.
 */
function bodyParserError(err: unknown): { status: number; message: string } | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  if (typeof (err as { type?: unknown }).type !== 'string' && typeof (err as { expose?: unknown }).expose !== 'boolean') return undefined;
  const { status, statusCode, message } = err as { status?: unknown; statusCode?: unknown; message?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || code < 400 || code >= 500) return undefined;
  return { status: code, message: code === 413 ? 'is over the 64 KB limit' : typeof message === 'string' && message ? message : 'cannot be read' };
}

/** An error of the request itself, before any route: the body (unreadable, too large, not JSON) or the path (bad %-encoding). */
function requestError(err: unknown): HttpErrorBody | undefined {
  const cause = err instanceof HttpException ? err.cause : err;
  if (cause instanceof SyntaxError && (err instanceof HttpException || (cause as { status?: unknown }).status === 400))
    return fieldError('body', 'is not valid JSON');
  if (cause instanceof URIError && err instanceof HttpException) return fieldError('path', 'is not valid percent-encoding');
  const parser = bodyParserError(cause);
  if (!parser) return undefined;
  return { ...fieldError('body', parser.message), statusCode: parser.status, error: reasonPhrase(parser.status) };
}

/**
 * The one place errors become HTTP answers, all in one shape, `{statusCode, error, message,
 * field?, traceId}`: Nest's HttpExceptions, failed gRPC calls by their status code, anything
 * else as a 500 that says nothing about internals.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('http');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toHttp(err);
    if (res.headersSent) return;
    if (err instanceof RateLimitedException) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    res.status(status).json(body);
  }

  toHttp(err: unknown): { status: number; body: ApiErrorBody } {
    const body = this.bodyOf(err);
    return { status: body.statusCode, body: { ...body, traceId: activeTraceId() } };
  }

  private bodyOf(err: unknown): HttpErrorBody {
    // Nest hands body-parser's and Express's errors over as HttpExceptions caused by them.
    const early = requestError(err);
    if (early) return early;
    if (err instanceof HttpException) {
      const body = fromHttpException(err);
      if (body.statusCode >= 500) this.log.warn(`${body.statusCode} ${body.message}`);
      return body;
    }
    if (err instanceof UpstreamError) {
      const body = grpcToHttp(err.code, err.details, err.upstream);
      if (body.statusCode >= 500) this.log.warn(err.message);
      return body;
    }
    this.log.error(`unhandled error: ${(err as Error)?.stack ?? String(err)}`);
    return { statusCode: 500, error: 'Internal Server Error', message: 'internal error' };
  }
}
