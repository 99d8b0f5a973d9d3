import { commandV1 } from '@fleetplane/contracts/grpc';
import type { Command, Execution } from '../generated/prisma/client.js';
import type { ExecutionState } from '../generated/prisma/enums.js';
import { ALL_STATES, deriveCommandState } from '../executions/command-state.js';
import type { CommandCounts } from '../executions/execution-queries.repository.js';
import { priorityToProto } from './priority.js';

export const stateToProto = (s: ExecutionState): commandV1.CommandState => commandV1.CommandState[`COMMAND_STATE_${s}`];
const iso = (d: Date | null): string => (d ? d.toISOString() : '');

export function executionToProto(e: Execution): commandV1.Execution {
  return {
    id: e.id,
    commandId: e.commandId,
    agentId: e.agentId,
    state: stateToProto(e.state),
    ...(e.exitCode === null ? {} : { exitCode: e.exitCode }),
    stdout: e.stdout,
    stderr: e.stderr,
    truncated: e.truncated,
    error: e.error,
    attempts: e.attempts,
    dispatchedAt: iso(e.dispatchedAt),
    startedAt: iso(e.startedAt),
    finishedAt: iso(e.finishedAt),
    reason: e.reason,
    stdoutBytes: e.stdoutBytes,
    stderrBytes: e.stderrBytes,
    expiresAt: iso(e.expiresAt),
  };
}

function selectorToProto(s: unknown): commandV1.TargetSelector | undefined {
  if (!s || typeof s !== 'object') return undefined;
  const v = s as Partial<commandV1.TargetSelector>;
  return {
    agentIds: v.agentIds ?? [],
    site: v.site ?? '',
    labels: v.labels ?? {},
    capabilities: v.capabilities ?? [],
    os: v.os ?? '',
    ...(typeof v.connected === 'boolean' ? { connected: v.connected } : {}),
  };
}

function summaryToProto(c: Command, counts: CommandCounts): commandV1.CommandSummary {
  return {
    targets: c.targetCount,
    byState: ALL_STATES.map((s) => ({ state: stateToProto(s), count: counts.byState[s] ?? 0 })),
    exitCodes: counts.exitCodes,
    firstErrors: counts.firstErrors.map((e) => ({ executionId: e.executionId, agentId: e.agentId, state: stateToProto(e.state), error: e.error })),
    nonResponders: counts.nonResponders,
    nonRespondersTotal: counts.nonRespondersTotal,
  };
}

function commandFields(c: Command): Omit<commandV1.Command, 'state' | 'updatedAt' | 'summary'> {
  return {
    id: c.id,
    verb: c.verb,
    paramsJson: JSON.stringify(c.params),
    priority: priorityToProto(c.priority),
    requestedBy: c.requestedBy,
    timeoutSeconds: c.timeoutSeconds,
    createdAt: c.createdAt.toISOString(),
    selector: selectorToProto(c.selector),
    maxConcurrency: c.maxConcurrency ?? 0,
    ...(c.maxErrors === null ? {} : { maxErrors: c.maxErrors }),
    ttlSeconds: c.ttlSeconds,
    retryOf: c.retryOf ?? '',
    endReason: c.endReason,
    cancelledAt: iso(c.cancelledAt),
  };
}

const endedForErrors = (c: Command) => c.endReason.startsWith('max errors');

/** The command with its summary: its state and last change come from the counts of its executions. */
export function commandToProto(c: Command, counts: CommandCounts): commandV1.Command {
  const updatedAt = counts.lastChange && counts.lastChange > c.updatedAt ? counts.lastChange : c.updatedAt;
  return {
    ...commandFields(c),
    state: stateToProto(deriveCommandState(counts.byState, endedForErrors(c))),
    updatedAt: updatedAt.toISOString(),
    summary: summaryToProto(c, counts),
  };
}

/** A listing's command: its summary has the counts per state only (GetCommand has the rest). */
export function listedCommandToProto(c: Command, byState: Partial<Record<ExecutionState, number>>): commandV1.Command {
  return commandToProto(c, { byState, exitCodes: [], firstErrors: [], nonResponders: [], nonRespondersTotal: 0, lastChange: null });
}
