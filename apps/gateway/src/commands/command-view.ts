import { commandV1 } from '@fleetplane/contracts/grpc';
import type { z } from 'zod';
import type { cancelCommandResult, commandSummary, commandView, executionView, outputView, PriorityName, STATES } from './commands.schemas.js';

// What the gateway answers for a command: the schemas in commands.schemas.ts, inferred.
export type StateName = (typeof STATES)[number];
export type ExecutionView = z.infer<typeof executionView>;
export type CommandView = z.infer<typeof commandView>;
export type CommandSummaryView = z.infer<typeof commandSummary>;
export type CancelCommandView = z.infer<typeof cancelCommandResult>;
export type OutputView = z.infer<typeof outputView>;

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

/** int64 fields arrive as strings (proto-loader's longs: String). */
const int = (v: number | string | undefined): number => Number(v ?? 0);

export function toExecutionView(e: commandV1.Execution): ExecutionView {
  return {
    id: e.id,
    commandId: e.commandId ?? '',
    agentId: e.agentId,
    state: stateName(e.state),
    exitCode: typeof e.exitCode === 'number' ? e.exitCode : null,
    stdout: e.stdout ?? '',
    stderr: e.stderr ?? '',
    truncated: e.truncated ?? false,
    reason: orNull(e.reason),
    error: orNull(e.error),
    attempts: e.attempts ?? 0,
    stdoutBytes: int(e.stdoutBytes),
    stderrBytes: int(e.stderrBytes),
    dispatchedAt: orNull(e.dispatchedAt),
    startedAt: orNull(e.startedAt),
    finishedAt: orNull(e.finishedAt),
    expiresAt: orNull(e.expiresAt),
  };
}

function toSummaryView(s: commandV1.CommandSummary): CommandSummaryView {
  return {
    targets: s.targets ?? 0,
    byState: Object.fromEntries((s.byState ?? []).map((b) => [stateName(b.state), b.count ?? 0])),
    exitCodes: (s.exitCodes ?? []).map((x) => ({ exitCode: x.exitCode ?? 0, count: x.count ?? 0 })),
    firstErrors: (s.firstErrors ?? []).map((x) => ({ executionId: x.executionId, agentId: x.agentId, state: stateName(x.state), error: x.error ?? '' })),
    nonResponders: s.nonResponders ?? [],
    nonRespondersTotal: s.nonRespondersTotal ?? 0,
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
    ttlSeconds: c.ttlSeconds ?? 0,
    maxConcurrency: c.maxConcurrency ?? 0,
    maxErrors: typeof c.maxErrors === 'number' ? c.maxErrors : null,
    selector: c.selector
      ? {
          agentIds: c.selector.agentIds ?? [],
          site: c.selector.site ?? '',
          labels: c.selector.labels ?? {},
          capabilities: c.selector.capabilities ?? [],
          os: c.selector.os ?? '',
          connected: typeof c.selector.connected === 'boolean' ? c.selector.connected : null,
        }
      : null,
    retryOf: orNull(c.retryOf),
    endReason: orNull(c.endReason),
    cancelledAt: orNull(c.cancelledAt),
    createdAt: orNull(c.createdAt),
    updatedAt: orNull(c.updatedAt),
    summary: c.summary ? toSummaryView(c.summary) : null,
  };
}

export function toOutputView(o: commandV1.GetExecutionOutputResponse): OutputView {
  return {
    data: Buffer.from(o.data ?? new Uint8Array()).toString('base64'),
    offset: int(o.offset),
    nextOffset: int(o.nextOffset),
    storedBytes: int(o.storedBytes),
    truncated: o.truncated ?? false,
    complete: o.complete ?? false,
  };
}
