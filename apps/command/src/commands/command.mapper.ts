import { commandV1 } from '@fleetplane/contracts/grpc';
import type { Execution } from '../generated/prisma/client.js';
import type { ExecutionState } from '../generated/prisma/enums.js';
import { deriveCommandState } from '../executions/command-state.js';
import type { CommandSummary, CommandWithExecutions, ExecutionSummary } from '../executions/command.repository.js';
import { priorityToProto } from './priority.js';

const stateToProto = (s: ExecutionState): commandV1.CommandState => commandV1.CommandState[`COMMAND_STATE_${s}`];
const iso = (d: Date | null): string => (d ? d.toISOString() : '');

function executionToProto(e: Execution | ExecutionSummary): commandV1.Execution {
  return {
    id: e.id,
    agentId: e.agentId,
    state: stateToProto(e.state),
    ...(e.exitCode === null ? {} : { exitCode: e.exitCode }),
    stdout: 'stdout' in e ? e.stdout : '',
    stderr: 'stderr' in e ? e.stderr : '',
    truncated: 'truncated' in e ? e.truncated : false,
    error: e.error,
    attempts: e.attempts,
    dispatchedAt: iso(e.dispatchedAt),
    startedAt: iso(e.startedAt),
    finishedAt: iso(e.finishedAt),
  };
}

/**
 * The command as the API shows it; its state and last change come from its
 * executions. A summary (from a listing) carries executions without output.
 */
export function commandToProto(c: CommandWithExecutions | CommandSummary): commandV1.Command {
  const changes = [c.updatedAt, ...c.executions.flatMap((e) => [e.dispatchedAt, e.startedAt, e.finishedAt])].filter((d): d is Date => d !== null);
  const updatedAt = new Date(Math.max(...changes.map((d) => d.getTime())));
  return {
    id: c.id,
    verb: c.verb,
    paramsJson: JSON.stringify(c.params),
    priority: priorityToProto(c.priority),
    state: stateToProto(deriveCommandState(c.executions.map((e) => e.state))),
    requestedBy: c.requestedBy,
    timeoutSeconds: c.timeoutSeconds,
    createdAt: c.createdAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
    executions: c.executions.map((e: Execution | ExecutionSummary) => executionToProto(e)),
  };
}
