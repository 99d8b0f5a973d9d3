import { describe, expect, it } from 'vitest';
import { commandV1 } from '@fleetplane/contracts/grpc';
import { protoCommand, protoExecution as execution, protoSummary } from '../test/proto-builders.js';
import { priorityToProto, toCommandView, toExecutionView, toOutputView } from './command-view.js';

describe(toCommandView.name, () => {
  it('renders states without their prefix, priorities in lower case, params as JSON, the summary by state name', () => {
    const view = toCommandView(
      protoCommand({
        priority: commandV1.Priority.PRIORITY_CRITICAL,
        state: commandV1.CommandState.COMMAND_STATE_TIMED_OUT,
        updatedAt: '',
        summary: protoSummary({ state: 'TIMED_OUT', exitCode: 124 }),
      }),
    );
    expect(view).toMatchObject({
      params: { argv: ['echo', 'hello'] },
      priority: 'critical',
      state: 'TIMED_OUT',
      updatedAt: null,
      maxErrors: null,
      selector: null,
    });
    expect(view.summary).toMatchObject({ targets: 1, exitCodes: [{ exitCode: 124, count: 1 }] });
    expect(view.summary?.byState).toMatchObject({ TIMED_OUT: 1, QUEUED: 0, SKIPPED: 0, EXPIRED: 0 });
  });

  it('keeps max errors 0 (stop at the first error) apart from no limit, and renders a missing summary as null', () => {
    expect(toCommandView(protoCommand({ maxErrors: 0 })).maxErrors).toBe(0);
    expect(toCommandView(protoCommand({ summary: undefined })).summary).toBeNull();
  });

  it('maps every REST priority to its proto enum and back', () => {
    for (const p of ['critical', 'high', 'normal', 'low'] as const) {
      expect(toCommandView(protoCommand({ priority: priorityToProto(p) })).priority).toBe(p);
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

  it('turns proto3 empty strings into nulls for optional text and times, and int64 strings into numbers', () => {
    expect(toExecutionView(execution({}))).toMatchObject({
      error: null,
      reason: null,
      dispatchedAt: null,
      startedAt: null,
      finishedAt: null,
      stdout: '',
      stderr: '',
    });
    expect(toExecutionView(execution({ error: 'agent agent-1 is not connected' })).error).toBe('agent agent-1 is not connected');
    // proto-loader's longs: String.
    expect(toExecutionView(execution({ stdoutBytes: '12' as unknown as number })).stdoutBytes).toBe(12);
  });
});

describe(toOutputView.name, () => {
  it('sends the bytes as base64 and the offsets as numbers', () => {
    expect(
      toOutputView({ data: Buffer.from('hi\n'), offset: '0' as unknown as number, nextOffset: 3, storedBytes: 3, truncated: false, complete: true }),
    ).toEqual({ data: 'aGkK', offset: 0, nextOffset: 3, storedBytes: 3, truncated: false, complete: true });
  });
});
