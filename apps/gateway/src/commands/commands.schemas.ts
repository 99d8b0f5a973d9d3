import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';

export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export type PriorityName = (typeof PRIORITIES)[number];

const labelKey = z.string().min(1).max(63);
const labelValue = z.string().max(255);

/** Which agents, all conditions AND-ed; resolved once, at submit, into the command's frozen target set. */
export const targetSelector = z
  .strictObject({
    agentIds: z.array(agentIdSchema).max(100_000).optional(),
    site: z.string().min(1).max(128).optional(),
    labels: z
      .record(labelKey, labelValue)
      .refine((l) => Object.keys(l).length <= 64, 'at most 64 labels')
      .optional(),
    capabilities: z.array(z.string().min(1).max(64)).max(64).optional(),
    os: z.string().min(1).max(128).optional(),
    connected: z.boolean().optional().describe('true: only agents connected now; false: only disconnected ones'),
  })
  .refine(
    (s) =>
      Object.values(s).some(
        (v) => v !== undefined && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0),
      ),
    {
      message: 'must set at least one condition (agentIds, site, labels, capabilities, os or connected)',
    },
  );
export type TargetSelectorBody = z.infer<typeof targetSelector>;

/** "10" or 10: a count; "10%": a percentage of the matched targets (rounded up). */
const targetLimit = (what: string, min: number) =>
  z
    .union(
      [
        z.number().int('must be a whole number').min(min).max(100_000),
        z.string().regex(/^(100|[1-9]\d?)%$/, 'must be a count or a percentage from 1% to 100%'),
      ],
      {
        message: `must be a number of targets or a percentage like "10%" (${what})`,
      },
    )
    .optional();

/**
 * The shape of a submission. The verb's own parameter schema is checked after this
 * (validateVerbParams), so `params.argv` is named exactly as the command service would.
 */
export const submitCommandBody = z.strictObject({
  verb: z.string({ message: 'is required' }).min(1, 'is required').max(64),
  params: z.record(z.string(), z.unknown(), { message: 'must be an object' }).default({}),
  targets: z.union(
    [
      z
        .array(agentIdSchema, { message: 'must be a list of agent ids' })
        .min(1, 'must name at least one agent')
        .max(100_000, 'at most 100000 agents per command')
        .refine((t) => new Set(t).size === t.length, 'must not repeat an agent'),
      targetSelector,
    ],
    { message: 'must be a list of agent ids or a selector object' },
  ),
  priority: z.enum(PRIORITIES, { message: `must be one of ${PRIORITIES.join(', ')}` }).default('normal'),
  timeoutSeconds: z.number({ message: 'must be a number of seconds' }).int('must be a whole number').min(1).max(86_400).optional(),
  ttlSeconds: z
    .number({ message: 'must be a number of seconds' })
    .int('must be a whole number')
    .min(1)
    .max(7 * 86_400)
    .optional()
    .describe('how long an execution waits for an offline agent before it EXPIRES (default 3600)'),
  maxConcurrency: targetLimit('executions in flight at once', 1),
  maxErrors: targetLimit('failures before the rest are skipped', 0),
  idempotencyKey: z.string().min(1).max(128).optional(),
});
export type SubmitCommandBody = z.infer<typeof submitCommandBody>;

export const listCommandsQuery = z.object({
  agentId: agentIdSchema.optional(),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  pageToken: z.string().max(512).optional(),
});
export type ListCommandsQuery = z.infer<typeof listCommandsQuery>;

export const commandIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a command id');
export const executionIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an execution id');

// Responses. CommandView and ExecutionView (command-view.ts) are inferred from these.

export const STATES = [
  'UNSPECIFIED',
  'PENDING',
  'QUEUED',
  'DISPATCHED',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMED_OUT',
  'SKIPPED',
  'EXPIRED',
] as const;
/** The states an execution can be in (every state but UNSPECIFIED). */
export const EXECUTION_STATES = STATES.filter((s): s is Exclude<(typeof STATES)[number], 'UNSPECIFIED'> => s !== 'UNSPECIFIED');

export const listExecutionsQuery = z.object({
  state: z.enum(EXECUTION_STATES as [string, ...string[]], { message: `must be one of ${EXECUTION_STATES.join(', ')}` }).optional(),
  exitCode: z.coerce.number().int().optional(),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
  pageToken: z.string().max(512).optional(),
});
export type ListExecutionsQuery = z.infer<typeof listExecutionsQuery>;

export const outputQuery = z.object({
  stream: z.enum(['stdout', 'stderr'], { message: 'must be stdout or stderr' }).default('stdout'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1024 * 1024)
    .default(1024 * 1024),
});
export type OutputQuery = z.infer<typeof outputQuery>;

export const retryCommandBody = z.strictObject({ idempotencyKey: z.string().min(1).max(128).optional() }).default({});
export type RetryCommandBody = z.infer<typeof retryCommandBody>;

const at = z.iso.datetime().nullable();

export const executionView = z.object({
  id: z.string(),
  commandId: z.string(),
  agentId: z.string(),
  state: z.enum(STATES),
  exitCode: z.number().int().nullable().describe('null until the process has exited'),
  stdout: z.string().describe('the start of the inline output summary (a KiB at most); the full output is at …/output'),
  stderr: z.string(),
  truncated: z.boolean().describe('the output exceeded the per-execution cap and was cut'),
  reason: z.string().nullable().describe('why it waits or was skipped: "agent offline", "verb … is not among the agent\'s capabilities"'),
  error: z.string().nullable(),
  attempts: z.number().int(),
  stdoutBytes: z.number().int().describe('stdout bytes stored'),
  stderrBytes: z.number().int(),
  dispatchedAt: at,
  startedAt: at,
  finishedAt: at,
  expiresAt: at.describe('when a waiting execution EXPIRES'),
});

export const executionPage = z.object({
  executions: z.array(executionView),
  nextPageToken: z.string().nullable().describe('pass back as pageToken for the next page; null on the last'),
});
export type ExecutionPage = z.infer<typeof executionPage>;

export const commandSummary = z.object({
  targets: z.number().int().describe('agents in the frozen target set'),
  byState: z.record(z.enum(EXECUTION_STATES as [string, ...string[]]), z.number().int()).describe('executions per state, zeros included'),
  exitCodes: z.array(z.object({ exitCode: z.number().int(), count: z.number().int() })).describe('smallest code first'),
  firstErrors: z
    .array(z.object({ executionId: z.string(), agentId: z.string(), state: z.enum(STATES), error: z.string() }))
    .describe('the first ten, by finish time'),
  nonResponders: z.array(z.string()).describe('agents that have not taken their execution (offline, or EXPIRED), up to 100'),
  nonRespondersTotal: z.number().int(),
});

export const selectorView = z.object({
  agentIds: z.array(z.string()),
  site: z.string(),
  labels: z.record(z.string(), z.string()),
  capabilities: z.array(z.string()),
  os: z.string(),
  connected: z.boolean().nullable(),
});

export const commandView = z.object({
  id: z.string(),
  verb: z.string(),
  params: z.unknown().describe("the verb's parameters as submitted"),
  priority: z.enum(PRIORITIES),
  state: z.enum(STATES),
  requestedBy: z.string().describe('the user id, or the API key id, that submitted it'),
  timeoutSeconds: z.number().int(),
  ttlSeconds: z.number().int(),
  maxConcurrency: z.number().int().describe('resolved to a number of executions; 0: no limit'),
  maxErrors: z.number().int().nullable().describe('failures tolerated before the rest are SKIPPED; null: no limit'),
  selector: selectorView.nullable().describe('the selector as submitted; null for a list of agent ids'),
  retryOf: z.string().nullable().describe('the command this one retries'),
  endReason: z.string().nullable().describe('why it ended early: max errors exceeded, cancelled by …'),
  cancelledAt: at,
  createdAt: at,
  updatedAt: at,
  summary: commandSummary.nullable().describe('in listings only targets and byState are filled; GET /commands/{id} has the rest'),
});

export const cancelCommandResult = z.object({
  command: commandView,
  cancelled: z.number().int().describe('executions that ended CANCELLED at once (not yet sent)'),
  stopping: z.number().int().describe('running executions told to stop; they end CANCELLED when their agent has killed the process'),
});

export const cancelExecutionResult = z.object({ execution: executionView });

export const outputView = z.object({
  data: z.base64().describe('the bytes, base64'),
  offset: z.number().int(),
  nextOffset: z.number().int().describe('where the next read continues'),
  storedBytes: z.number().int(),
  truncated: z.boolean().describe('the agent produced more than the per-execution cap; the rest was dropped'),
  complete: z.boolean().describe('the execution has finished and nothing will be added past storedBytes'),
});

export const commandPage = z.object({
  commands: z.array(commandView),
  nextPageToken: z.string().nullable().describe('pass back as pageToken for the next page; null on the last'),
});
export type CommandPage = z.infer<typeof commandPage>;
