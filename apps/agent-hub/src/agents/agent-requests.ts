import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';
import { invalidArgument } from '@fleetplane/service-kit/grpc';

const labels = z.record(z.string().min(1).max(63), z.string().max(255)).refine((l) => Object.keys(l).length <= 64, { message: 'at most 64 labels' });

export const enrollRequestSchema = z.object({
  agent_id: agentIdSchema,
  site: z.string().max(128),
  labels,
});

export const getRequestSchema = z.object({ agent_id: agentIdSchema });

// The filters are parsed by registry/registry-requests.ts parseListFilter.
export const listRequestSchema = z.object({
  page_size: z.number().int().min(0, 'must not be negative'),
  page_token: z.string().max(512),
});

/**
 * Parses a gRPC request (keyed by its proto field names so errors name the
 * field as callers know it) or throws INVALID_ARGUMENT naming the field.
 */
export function parseRequest<S extends z.ZodType>(schema: S, fields: unknown): z.infer<S> {
  const parsed = schema.safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw invalidArgument(issue?.path.map(String).join('.') || 'request', issue?.message ?? 'invalid');
}
