import { BadRequestException, HttpException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it, vi } from 'vitest';
import { GrpcStatus, UpstreamError } from '@fleetplane/service-kit/grpc';
import { ApiExceptionFilter } from './api-exception.filter.js';
import { grpcToHttp } from './grpc-http.js';
import { RateLimitedException } from './rate-limited.exception.js';

describe(grpcToHttp.name, () => {
  it.each([
    [GrpcStatus.INVALID_ARGUMENT, 400],
    [GrpcStatus.UNAUTHENTICATED, 401],
    [GrpcStatus.PERMISSION_DENIED, 403],
    [GrpcStatus.NOT_FOUND, 404],
    [GrpcStatus.ALREADY_EXISTS, 409],
    [GrpcStatus.RESOURCE_EXHAUSTED, 429],
    [GrpcStatus.UNAVAILABLE, 503],
    [GrpcStatus.DEADLINE_EXCEEDED, 504],
    [GrpcStatus.INTERNAL, 502],
    [GrpcStatus.UNKNOWN, 502],
    [GrpcStatus.UNIMPLEMENTED, 502],
    [GrpcStatus.FAILED_PRECONDITION, 502],
    [GrpcStatus.DATA_LOSS, 502],
  ])('maps gRPC %s to HTTP %s', (code, http) => {
    expect(grpcToHttp(code, 'x', 'command').statusCode).toBe(http);
  });

  it("names the field of an INVALID_ARGUMENT written as 'field: message'", () => {
    expect(grpcToHttp(GrpcStatus.INVALID_ARGUMENT, 'params.argv.0: must be a string', 'command')).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'params.argv.0: must be a string',
      field: 'params.argv.0',
    });
    expect(grpcToHttp(GrpcStatus.INVALID_ARGUMENT, 'something is off', 'command')).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'something is off',
    });
  });

  it("keeps a NOT_FOUND's message, which names the missing thing", () => {
    expect(grpcToHttp(GrpcStatus.NOT_FOUND, 'agent ghost not found', 'command')).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'agent ghost not found',
    });
  });

  it('never passes on the message of an internal failure', () => {
    for (const code of [GrpcStatus.INTERNAL, GrpcStatus.UNKNOWN, GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.UNAUTHENTICATED]) {
      const body = grpcToHttp(code, 'connect to postgres://user:hunter2@db failed', 'agent-hub');
      expect(body.message).not.toContain('hunter2');
      expect(body.message).toContain('agent-hub');
    }
  });
});

describe(ApiExceptionFilter.name, () => {
  const filter = new ApiExceptionFilter();

  it('answers an UpstreamError by its gRPC code', () => {
    expect(filter.toHttp(new UpstreamError('command', 'GetCommand', GrpcStatus.DEADLINE_EXCEEDED, 'deadline'))).toEqual({
      status: 504,
      body: { statusCode: 504, error: 'Gateway Timeout', message: 'command service did not answer in time', traceId: null },
    });
  });

  it('keeps HttpExceptions as they are', () => {
    const body = { statusCode: 400, error: 'Bad Request', message: 'targets: required', field: 'targets' };
    expect(filter.toHttp(new BadRequestException(body))).toEqual({ status: 400, body: { ...body, traceId: null } });
    expect(filter.toHttp(new RateLimitedException(30)).status).toBe(429);
  });

  it('names the body when it is not JSON', () => {
    const err = new BadRequestException('Unexpected token', { cause: new SyntaxError('Unexpected token') });
    expect(filter.toHttp(err)).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'body: is not valid JSON', field: 'body', traceId: null },
    });
  });

  it('hides anything else behind a plain 500', () => {
    expect(filter.toHttp(new Error('secret internals'))).toEqual({
      status: 500,
      body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error', traceId: null },
    });
  });

  it('answers an HttpException built from a plain string, or with a list of messages, in the same shape', () => {
    expect(filter.toHttp(new HttpException('teapot', 418))).toEqual({
      status: 418,
      body: { statusCode: 418, error: 'Client Error', message: 'teapot', traceId: null },
    });
    expect(filter.toHttp(new NotFoundException('api key x not found')).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'api key x not found',
      traceId: null,
    });
    expect(filter.toHttp(new BadRequestException(['a is bad', 'b is bad'])).body.message).toBe('a is bad; b is bad');
    expect(filter.toHttp(new ServiceUnavailableException()).body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Service Unavailable',
      traceId: null,
    });
  });

  it("answers body-parser's own errors by their status, naming the body", () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, statusCode: 413, type: 'entity.too.large' });
    expect(filter.toHttp(tooLarge)).toEqual({
      status: 413,
      body: { statusCode: 413, error: 'Payload Too Large', message: 'body: is over the 64 KB limit', field: 'body', traceId: null },
    });
    const charset = Object.assign(new Error('unsupported charset "X"'), { status: 415, type: 'charset.unsupported' });
    expect(filter.toHttp(charset).body).toMatchObject({ statusCode: 415, field: 'body' });
    // As Nest's Express adapter hands them over: an HttpException caused by them.
    expect(
      filter.toHttp(
        new HttpException('incorrect header check', 400, {
          cause: Object.assign(new Error('incorrect header check'), { status: 400, type: 'encoding.unsupported' }),
        }),
      ).body,
    ).toMatchObject({ statusCode: 400, field: 'body', message: 'body: incorrect header check' });
    const zlib = Object.assign(new Error('incorrect header check'), { status: 400, statusCode: 400, expose: true, code: 'Z_DATA_ERROR' });
    expect(filter.toHttp(new HttpException('incorrect header check', 400, { cause: zlib })).body).toMatchObject({ statusCode: 400, field: 'body' });
    expect(filter.toHttp(new BadRequestException("Failed to decode param '%'", { cause: new URIError('x') })).body).toMatchObject({
      statusCode: 400,
      field: 'path',
    });
  });

  it('carries the active trace id', () => {
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
    const spy = vi.spyOn(trace, 'getActiveSpan').mockReturnValue(trace.wrapSpanContext(spanContext));
    try {
      expect(filter.toHttp(new NotFoundException('x')).body.traceId).toBe(spanContext.traceId);
      expect(filter.toHttp(new Error('y')).body.traceId).toBe(spanContext.traceId);
    } finally {
      spy.mockRestore();
    }
  });
});
