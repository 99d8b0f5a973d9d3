import { agentIdSchema, validateVerbParams } from '@fleetplane/contracts';
import type { commandV1 } from '@fleetplane/contracts/grpc';
import type { Priority } from '../generated/prisma/enums.js';
import { priorityFromProto } from './priority.js';

export interface ValidSubmit {
  verb: string;
  params: Record<string, unknown>;
  targets: string[];
  priority: Priority;
  timeoutSeconds: number;
  requestedBy: string;
  idempotencyKey: string | null;
}

export type SubmitCheck = { ok: true; value: ValidSubmit } | { ok: false; field: string; message: string };

export interface TimeoutLimits {
  defaultSeconds: number;
  maxSeconds: number;
}

const MAX_TARGETS = 1000;
const MAX_KEY_LENGTH = 200;
const MAX_REQUESTED_BY_LENGTH = 320;

const fail = (field: string, message: string): SubmitCheck => ({ ok: false, field, message });

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

  const targets = req.targetAgentIds ?? [];
  if (targets.length === 0) return fail('target_agent_ids', 'at least one target agent is required');
  if (targets.length > MAX_TARGETS) return fail('target_agent_ids', `at most ${MAX_TARGETS} target agents`);
  const seen = new Set<string>();
  for (const [i, id] of targets.entries()) {
    const parsed = agentIdSchema.safeParse(id);
    if (!parsed.success) return fail(`target_agent_ids[${i}]`, parsed.error.issues[0]?.message ?? 'invalid agent id');
    if (seen.has(id)) return fail('target_agent_ids', `agent ${id} is listed more than once`);
    seen.add(id);
  }

  const priority = priorityFromProto(req.priority);
  if (!priority) return fail('priority', `unknown priority ${String(req.priority)}`);

  const timeout = req.timeoutSeconds ?? 0;
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > limits.maxSeconds) {
    return fail('timeout_seconds', `must be between 1 and ${limits.maxSeconds} (0 for the default of ${limits.defaultSeconds})`);
  }

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
      targets,
      priority,
      timeoutSeconds: timeout === 0 ? limits.defaultSeconds : timeout,
      requestedBy,
      idempotencyKey: key === '' ? null : key,
    },
  };
}
