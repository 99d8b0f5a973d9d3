import { commandV1 } from '@fleetplane/contracts/grpc';

/** A command service Execution as it arrives over gRPC: queued, nothing run yet, unless overridden. */
export const protoExecution = (over: Partial<commandV1.Execution>): commandV1.Execution => ({
  id: 'ex-1',
  agentId: 'agent-1',
  state: commandV1.CommandState.COMMAND_STATE_QUEUED,
  stdout: '',
  stderr: '',
  truncated: false,
  error: '',
  attempts: 0,
  dispatchedAt: '',
  startedAt: '',
  finishedAt: '',
  reason: '',
  stdoutBytes: 0,
  stderrBytes: 0,
  commandId: 'cmd-1',
  expiresAt: '',
  ...over,
});

/** A command service Command: queued, one target, with its summary, unless overridden. */
export const protoCommand = (over: Partial<commandV1.Command>): commandV1.Command => ({
  id: 'cmd-1',
  verb: 'exec',
  paramsJson: '{"argv":["echo","hello"]}',
  priority: commandV1.Priority.PRIORITY_NORMAL,
  state: commandV1.CommandState.COMMAND_STATE_QUEUED,
  requestedBy: 'someone',
  timeoutSeconds: 60,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:01.000Z',
  summary: protoSummary({}),
  selector: undefined,
  maxConcurrency: 0,
  ttlSeconds: 3600,
  retryOf: '',
  endReason: '',
  cancelledAt: '',
  ...over,
});

const STATE_NAMES = ['PENDING', 'QUEUED', 'DISPATCHED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'SKIPPED', 'EXPIRED'] as const;

/** A summary: one target, in `state` (QUEUED by default). */
export const protoSummary = (
  over: Partial<commandV1.CommandSummary> & { state?: (typeof STATE_NAMES)[number]; exitCode?: number },
): commandV1.CommandSummary => {
  const { state = 'QUEUED', exitCode, ...rest } = over;
  return {
    targets: 1,
    byState: STATE_NAMES.map((s) => ({ state: commandV1.CommandState[`COMMAND_STATE_${s}`], count: s === state ? 1 : 0 })),
    exitCodes: exitCode === undefined ? [] : [{ exitCode, count: 1 }],
    firstErrors: [],
    nonResponders: [],
    nonRespondersTotal: 0,
    ...rest,
  };
};
