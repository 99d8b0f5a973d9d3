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
  ...over,
});
