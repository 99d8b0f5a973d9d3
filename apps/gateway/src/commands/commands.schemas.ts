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
