import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';

// gRPC requests of AgentAccessService, keyed by their proto field names so errors name the field as callers know it.

const labels = z.record(z.string().min(1).max(63), z.string().max(255)).refine((l) => Object.keys(l).length <= 64, { message: 'at most 64 labels' });

/** How long a token lives when the request names no expiry. */
export const DEFAULT_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Tokens are for provisioning, not standing secrets: at most a year. */
export const MAX_TOKEN_LIFETIME_MS = 366 * 24 * 60 * 60 * 1000;
export const MAX_TOKEN_USES = 100_000;

export const createTokenRequestSchema = z.object({
  site: z.string().max(128),
  labels,
  expires_at: z.union([z.literal(''), z.iso.datetime({ offset: true, message: 'must be an RFC 3339 date-time' })]),
  max_uses: z.number().int().min(0, 'must not be negative').max(MAX_TOKEN_USES),
  allow_reenroll: z.boolean(),
  created_by: z.string().min(1, 'is required').max(200),
});

export const listTokensRequestSchema = z.object({
  page_size: z.number().int().min(0, 'must not be negative'),
  page_token: z.string().max(512),
});

export const tokenIdRequestSchema = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

export const agentIdRequestSchema = z.object({ agent_id: agentIdSchema });
