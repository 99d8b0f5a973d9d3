import { commandV1 } from '@fleetplane/contracts/grpc';
import type { z } from 'zod';
import type { commandView, executionView, PriorityName, STATES } from './commands.schemas.js';

// What the gateway answers for a command: the schemas in commands.schemas.ts, inferred.
export type StateName = (typeof STATES)[number];
export type ExecutionView = z.infer<typeof executionView>;
export type CommandView = z.infer<typeof commandView>;

const toPriority: Record<PriorityName, commandV1.Priority> = {
  critical: commandV1.Priority.PRIORITY_CRITICAL,
  high: commandV1.Priority.PRIORITY_HIGH,
  normal: commandV1.Priority.PRIORITY_NORMAL,
  low: commandV1.Priority.PRIORITY_LOW,
};
export const priorityToProto = (p: PriorityName): commandV1.Priority => toPriority[p];

function priorityName(p: commandV1.Priority | string): PriorityName {
  const name = String(p)
    .replace(/^PRIORITY_/, '')
    .toLowerCase();
  return (name in toPriority ? name : 'normal') as PriorityName;
}

const stateName = (s: commandV1.CommandState | string): StateName => String(s).replace(/^COMMAND_STATE_/, '') as StateName;

const orNull = (s: string | undefined): string | null => (s ? s : null);

function parseParams(json: string): unknown {
  try {
    return JSON.parse(json || '{}');
  } catch {
    return { unparsed: json };
  }
}

export function toExecutionView(e: commandV1.Execution): ExecutionView {
  return {
    id: e.id,
    agentId: e.agentId,
    state: stateName(e.state),
    exitCode: typeof e.exitCode === 'number' ? e.exitCode : null,
    stdout: e.stdout ?? '',
    stderr: e.stderr ?? '',
    truncated: e.truncated ?? false,
    error: orNull(e.error),
    attempts: e.attempts ?? 0,
    dispatchedAt: orNull(e.dispatchedAt),
    startedAt: orNull(e.startedAt),
    finishedAt: orNull(e.finishedAt),
  };
}

export function toCommandView(c: commandV1.Command): CommandView {
  return {
    id: c.id,
    verb: c.verb,
    params: parseParams(c.paramsJson),
    priority: priorityName(c.priority),
    state: stateName(c.state),
    requestedBy: c.requestedBy,
    timeoutSeconds: c.timeoutSeconds,
    createdAt: orNull(c.createdAt),
    updatedAt: orNull(c.updatedAt),
    executions: (c.executions ?? []).map(toExecutionView),
  };
}
