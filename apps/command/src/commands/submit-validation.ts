import { agentIdSchema, validateVerbParams } from '@fleetplane/contracts';
import type { commandV1 } from '@fleetplane/contracts/grpc';
import type { Priority } from '../generated/prisma/enums.js';
import { priorityFromProto } from './priority.js';

/** A limit as submitted: resolved against the number of matched targets once they are known. */
export type Limit = { count: number } | { percent: number } | null;

/** What to run on: a list of agent ids, or a selector resolved at submit. */
export type Targets = { kind: 'ids'; ids: string[] } | { kind: 'selector'; selector: Selector };

export interface Selector {
  agentIds: string[];
  site: string;
  labels: Record<string, string>;
  capabilities: string[];
  os: string;
  connected?: boolean;
}

export interface ValidSubmit {
  verb: string;
  params: Record<string, unknown>;
  targets: Targets;
  priority: Priority;
  timeoutSeconds: number;
  ttlSeconds: number;
  maxConcurrency: Limit;
  maxErrors: Limit;
  requestedBy: string;
  idempotencyKey: string | null;
}

export type SubmitCheck = { ok: true; value: ValidSubmit } | { ok: false; field: string; message: string };

export interface TimeoutLimits {
  defaultSeconds: number;
  maxSeconds: number;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
}

/** A command's frozen target set is at most this large, whether listed or selected. */
export const MAX_TARGETS = 100_000;
const MAX_KEY_LENGTH = 200;
const MAX_REQUESTED_BY_LENGTH = 320;

const fail = (field: string, message: string) => ({ ok: false as const, field, message });

/**
 * Checks everything about a submit that needs no I/O. Field names are the
 * proto's (snake_case), and verb parameters are named `params.<path>`, so a
 * caller can point at exactly what to fix.
 */
export function validateSubmit(req: commandV1.SubmitCommandRequest, limits: TimeoutLimits): SubmitCheck {
  let rawParams: unknown;
  try {
    rawParams = req.paramsJson === '' ? {} : JSON.parse(req.paramsJson);
  } catch (err) {
    return fail('params', `not valid JSON (${(err as Error).message})`);
  }
  const params = validateVerbParams(req.verb, rawParams);
  if (!params.ok) return fail(params.field, params.message);

  const targets = validateTargets(req);
  if (!targets.ok) return targets;

  const priority = priorityFromProto(req.priority);
  if (!priority) return fail('priority', `unknown priority ${String(req.priority)}`);

  const timeout = req.timeoutSeconds ?? 0;
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > limits.maxSeconds) {
    return fail('timeout_seconds', `must be between 1 and ${limits.maxSeconds} (0 for the default of ${limits.defaultSeconds})`);
  }

  const ttl = req.ttlSeconds ?? 0;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > limits.maxTtlSeconds) {
    return fail('ttl_seconds', `must be between 1 and ${limits.maxTtlSeconds} (0 for the default of ${limits.defaultTtlSeconds})`);
  }
  const maxConcurrency = validateLimit(req.maxConcurrency, 'max_concurrency', 1);
  if (!maxConcurrency.ok) return maxConcurrency;
  const maxErrors = validateLimit(req.maxErrors, 'max_errors', 0);
  if (!maxErrors.ok) return maxErrors;

  const requestedBy = (req.requestedBy ?? '').trim();
  if (!requestedBy) return fail('requested_by', 'the authenticated caller is required for the audit trail');
  if (requestedBy.length > MAX_REQUESTED_BY_LENGTH) return fail('requested_by', `at most ${MAX_REQUESTED_BY_LENGTH} characters`);

  const key = req.idempotencyKey ?? '';
  if (key.length > MAX_KEY_LENGTH) return fail('idempotency_key', `at most ${MAX_KEY_LENGTH} characters`);

  return {
    ok: true,
    value: {
      verb: req.verb,
      params: params.params,
      targets: targets.value,
      priority,
      timeoutSeconds: timeout === 0 ? limits.defaultSeconds : timeout,
      ttlSeconds: ttl === 0 ? limits.defaultTtlSeconds : ttl,
      maxConcurrency: maxConcurrency.value,
      maxErrors: maxErrors.value,
      requestedBy,
      idempotencyKey: key === '' ? null : key,
    },
  };
}

type Checked<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

function validateIds(ids: string[], field: string): Checked<string[]> {
  if (ids.length > MAX_TARGETS) return fail(field, `at most ${MAX_TARGETS} target agents`);
  const seen = new Set<string>();
  for (const [i, id] of ids.entries()) {
    const parsed = agentIdSchema.safeParse(id);
    if (!parsed.success) return fail(`${field}[${i}]`, parsed.error.issues[0]?.message ?? 'invalid agent id');
    if (seen.has(id)) return fail(field, `agent ${id} is listed more than once`);
    seen.add(id);
  }
  return { ok: true, value: ids };
}

function validateTargets(req: commandV1.SubmitCommandRequest): Checked<Targets> {
  const ids = req.targetAgentIds ?? [];
  const s = req.selector;
  if (ids.length > 0 && s) return fail('selector', 'give either target_agent_ids or a selector, not both');
  if (!s) {
    if (ids.length === 0) return fail('target_agent_ids', 'at least one target agent is required (or a selector)');
    const checked = validateIds(ids, 'target_agent_ids');
    return checked.ok ? { ok: true, value: { kind: 'ids', ids: checked.value } } : checked;
  }
  const labels = s.labels ?? {};
  const selector: Selector = {
    agentIds: s.agentIds ?? [],
    site: s.site ?? '',
    labels,
    capabilities: s.capabilities ?? [],
    os: s.os ?? '',
    ...(s.connected === undefined ? {} : { connected: s.connected }),
  };
  const anyCondition =
    selector.agentIds.length > 0 ||
    selector.site ||
    Object.keys(labels).length > 0 ||
    selector.capabilities.length > 0 ||
    selector.os ||
    s.connected !== undefined;
  if (!anyCondition) return fail('selector', 'must set at least one condition (agent ids, site, labels, capabilities, os or connected)');
  const checked = validateIds(selector.agentIds, 'selector.agent_ids');
  if (!checked.ok) return checked;
  if (selector.site.length > 128) return fail('selector.site', 'at most 128 characters');
  if (selector.os.length > 128) return fail('selector.os', 'at most 128 characters');
  if (Object.keys(labels).length > 64) return fail('selector.labels', 'at most 64 labels');
  if (selector.capabilities.length > 64) return fail('selector.capabilities', 'at most 64 capabilities');
  return { ok: true, value: { kind: 'selector', selector } };
}

/** A count (at least `min`) or a percentage 1–100; unset means no limit. */
function validateLimit(l: commandV1.TargetLimit | undefined, field: string, min: number): Checked<Limit> {
  if (!l || (l.count === undefined && l.percent === undefined)) return { ok: true, value: null };
  if (l.percent !== undefined) {
    if (!Number.isInteger(l.percent) || l.percent < 1 || l.percent > 100) return fail(`${field}.percent`, 'must be a whole percentage from 1 to 100');
    return { ok: true, value: { percent: l.percent } };
  }
  const count = l.count ?? 0;
  if (!Number.isInteger(count) || count < min || count > MAX_TARGETS) return fail(`${field}.count`, `must be a whole number from ${min} to ${MAX_TARGETS}`);
  return { ok: true, value: { count } };
}

/** A limit as a number of targets: a percentage rounds up, and never below 1 for concurrency. */
export function resolveLimit(limit: Limit, targets: number, min: number): number | null {
  if (!limit) return null;
  if ('count' in limit) return limit.count;
  return Math.max(min, Math.ceil((limit.percent * targets) / 100));
}
