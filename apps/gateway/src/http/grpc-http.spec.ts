import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
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
      body: { statusCode: 504, error: 'Gateway Timeout', message: 'command service did not answer in time' },
    });
  });

  it('keeps HttpExceptions as they are', () => {
    const body = { statusCode: 400, error: 'Bad Request', message: 'targets: required', field: 'targets' };
    expect(filter.toHttp(new BadRequestException(body))).toEqual({ status: 400, body });
    expect(filter.toHttp(new RateLimitedException(30)).status).toBe(429);
  });

  it('names the body when it is not JSON', () => {
    const err = new BadRequestException('Unexpected token', { cause: new SyntaxError('Unexpected token') });
    expect(filter.toHttp(err)).toEqual({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'body: is not valid JSON', field: 'body' } });
  });

  it('hides anything else behind a plain 500', () => {
    expect(filter.toHttp(new Error('secret internals'))).toEqual({
      status: 500,
      body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error' },
    });
  });
});
