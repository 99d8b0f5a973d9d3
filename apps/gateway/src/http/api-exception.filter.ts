import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { UpstreamError } from '@fleetplane/service-kit/grpc';
import { fieldError } from './field-error.js';
import { RateLimitedException } from './rate-limited.exception.js';
import { grpcToHttp, type HttpErrorBody } from './grpc-http.js';

/**
 * The one place errors become HTTP answers: Nest's HttpExceptions as they are, failed gRPC
 * calls by their status code, anything else as a 500 that says nothing about internals.
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

  toHttp(err: unknown): { status: number; body: HttpErrorBody | object } {
    // Nest hands body-parser's JSON errors over as a BadRequestException caused by a SyntaxError.
    if (err instanceof HttpException && err.getStatus() === 400 && err.cause instanceof SyntaxError) {
      return { status: 400, body: fieldError('body', 'is not valid JSON') };
    }
    if (err instanceof HttpException) {
      const body = err.getResponse();
      return { status: err.getStatus(), body: typeof body === 'string' ? { statusCode: err.getStatus(), message: body } : body };
    }
    if (err instanceof UpstreamError) {
      const body = grpcToHttp(err.code, err.details, err.upstream);
      if (body.statusCode >= 500) this.log.warn(err.message);
      return { status: body.statusCode, body };
    }
    this.log.error(`unhandled error: ${(err as Error)?.stack ?? String(err)}`);
    return { status: 500, body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error' } };
  }
}
