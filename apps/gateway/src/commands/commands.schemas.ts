import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';

export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export type PriorityName = (typeof PRIORITIES)[number];

/**
 * The shape of a submission. The verb's own parameter schema is checked after this
 * (validateVerbParams), so `params.argv` is named exactly as the command service would.
 */
export const submitCommandBody = z.strictObject({
  verb: z.string({ message: 'is required' }).min(1, 'is required').max(64),
  params: z.record(z.string(), z.unknown(), { message: 'must be an object' }).default({}),
  targets: z
    .array(agentIdSchema, { message: 'must be a list of agent ids' })
    .min(1, 'must name at least one agent')
    .max(1000, 'at most 1000 agents per command')
    .refine((t) => new Set(t).size === t.length, 'must not repeat an agent'),
  priority: z.enum(PRIORITIES, { message: `must be one of ${PRIORITIES.join(', ')}` }).default('normal'),
  timeoutSeconds: z.number({ message: 'must be a number of seconds' }).int('must be a whole number').min(1).max(86_400).optional(),
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

// Responses. CommandView and ExecutionView (command-view.ts) are inferred from these.

export const STATES = ['UNSPECIFIED', 'PENDING', 'QUEUED', 'DISPATCHED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'] as const;

export const executionView = z.object({
  id: z.string(),
  agentId: z.string(),
  state: z.enum(STATES),
  exitCode: z.number().int().nullable().describe('null until the process has exited'),
  stdout: z.string(),
  stderr: z.string(),
  truncated: z.boolean().describe("stdout or stderr was cut to the agent's output limit"),
  error: z.string().nullable(),
  attempts: z.number().int(),
  dispatchedAt: z.iso.datetime().nullable(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});

export const commandView = z.object({
  id: z.string(),
  verb: z.string(),
  params: z.unknown().describe("the verb's parameters as submitted"),
  priority: z.enum(PRIORITIES),
  state: z.enum(STATES),
  requestedBy: z.string().describe('the user id, or the API key id, that submitted it'),
  timeoutSeconds: z.number().int(),
  createdAt: z.iso.datetime().nullable(),
  updatedAt: z.iso.datetime().nullable(),
  executions: z.array(executionView),
});

export const commandPage = z.object({
  commands: z.array(commandView),
  nextPageToken: z.string().nullable().describe('pass back as pageToken for the next page; null on the last'),
});
export type CommandPage = z.infer<typeof commandPage>;
