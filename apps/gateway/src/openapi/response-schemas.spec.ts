import { BadRequestException, ForbiddenException, Logger, NotFoundException } from '@nestjs/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { GrpcStatus, UpstreamError } from '@fleetplane/service-kit/grpc';
import { toAgentView } from '../agents/agent-view.js';
import { agentView } from '../agents/agents.schemas.js';
import { toCommandView, toExecutionView } from '../commands/command-view.js';
import { commandView, executionView } from '../commands/commands.schemas.js';
import { ApiExceptionFilter } from '../http/api-exception.filter.js';
import { RateLimitedException } from '../http/rate-limited.exception.js';
import { protoCommand, protoExecution, protoSummary } from '../test/proto-builders.js';
import { errorBody } from './error-body.js';

// The types keep the views' shapes in line with the documented schemas; these check
// what types cannot: formats (timestamps), enums read from proto strings, the error
// bodies the filter actually builds.

describe('documented response schemas', () => {
  // The filter logs the upstream failures and the unhandled error below; nothing to see here.
  beforeAll(() => Logger.overrideLogger(false));

  it('accept what the command and agent views render from gRPC answers', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const command = toCommandView(
      protoCommand({
        state: commandV1.CommandState.COMMAND_STATE_COMPLETED,
        createdAt: at,
        updatedAt: '',
        maxErrors: 0,
        selector: { agentIds: [], site: 'eu', labels: { role: 'web' }, capabilities: [], os: '', connected: true },
        summary: protoSummary({ state: 'COMPLETED', exitCode: 0, nonResponders: ['agent-2'], nonRespondersTotal: 1 }),
      }),
    );
    for (const e of [
      protoExecution({}),
      protoExecution({ state: commandV1.CommandState.COMMAND_STATE_SKIPPED, reason: 'x', expiresAt: at, dispatchedAt: at }),
    ]) {
      expect(executionView.safeParse(toExecutionView(e)).error).toBeUndefined();
    }
    expect(commandView.safeParse(command).error).toBeUndefined();
    const agent = toAgentView({
      id: 'agent-1',
      site: '',
      os: 'linux',
      kernel: '6.1',
      version: '1.0.0',
      capabilities: ['exec'],
      containerEngine: '',
      labels: { rack: 'a1' },
      connected: true,
      lastSeenAt: at,
      enrolledAt: at,
      connectedAt: at,
      hubInstanceId: 'hub-1',
      protocolVersion: 1,
    });
    expect(agentView.safeParse(agent).error).toBeUndefined();
  });

  it('accept every error body the exception filter answers with', () => {
    const filter = new ApiExceptionFilter();
    const errors: unknown[] = [
      new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'targets: is required', field: 'targets' }),
      new BadRequestException('bad', { cause: new SyntaxError('Unexpected token') }),
      new NotFoundException('api key x not found'),
      new ForbiddenException('requires role admin'),
      new RateLimitedException(30),
      new UpstreamError('command', 'submitCommand', GrpcStatus.INVALID_ARGUMENT, 'params.argv: must not be empty'),
      new UpstreamError('command', 'getCommand', GrpcStatus.UNAVAILABLE, 'connect ECONNREFUSED'),
      new UpstreamError('agent-hub', 'getAgent', GrpcStatus.INTERNAL, 'stack trace'),
      new Error('anything else'),
    ];
    const bad = errors.map((e) => filter.toHttp(e).body).filter((body) => !errorBody.safeParse(body).success);
    expect(bad).toEqual([]);
  });
});
