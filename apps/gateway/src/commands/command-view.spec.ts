import { describe, expect, it } from 'vitest';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { protoExecution as execution } from '../test/proto-builders.js';
import { priorityToProto, toCommandView, toExecutionView } from './command-view.js';

describe(toCommandView.name, () => {
  it('renders states without their prefix, priorities in lower case, params as JSON', () => {
    const view = toCommandView({
      id: 'c1',
      verb: 'exec',
      paramsJson: '{"argv":["echo","hello"]}',
      priority: commandV1.Priority.PRIORITY_CRITICAL,
      state: commandV1.CommandState.COMMAND_STATE_TIMED_OUT,
      requestedBy: 'u1',
      timeoutSeconds: 60,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '',
      executions: [execution({})],
    });
    expect(view).toMatchObject({ params: { argv: ['echo', 'hello'] }, priority: 'critical', state: 'TIMED_OUT', updatedAt: null });
    expect(view.executions[0]?.state).toBe('QUEUED');
  });

  it('maps every REST priority to its proto enum and back', () => {
    for (const p of ['critical', 'high', 'normal', 'low'] as const) {
      expect(
        toCommandView({
          id: '',
          verb: '',
          paramsJson: '{}',
          priority: priorityToProto(p),
          state: commandV1.CommandState.COMMAND_STATE_QUEUED,
          requestedBy: '',
          timeoutSeconds: 0,
          createdAt: '',
          updatedAt: '',
          executions: [],
        }).priority,
      ).toBe(p);
    }
  });
});

describe(toExecutionView.name, () => {
  it('renders an absent exit code as null and a present 0 as 0', () => {
    // proto-loader leaves an unset proto3 `optional` field out of the object entirely.
    expect(toExecutionView(execution({})).exitCode).toBeNull();
    expect(toExecutionView(execution({ exitCode: 0 })).exitCode).toBe(0);
    expect(toExecutionView(execution({ exitCode: 137 })).exitCode).toBe(137);
  });

  it('turns proto3 empty strings into nulls for optional text and times', () => {
    expect(toExecutionView(execution({}))).toMatchObject({ error: null, dispatchedAt: null, startedAt: null, finishedAt: null, stdout: '', stderr: '' });
    expect(toExecutionView(execution({ error: 'agent agent-1 is not connected' })).error).toBe('agent agent-1 is not connected');
  });
});
