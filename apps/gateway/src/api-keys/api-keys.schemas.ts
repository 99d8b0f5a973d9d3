import { z } from 'zod';
import { ROLES } from '../auth/roles.js';
import { SCOPES } from '../auth/scopes.js';

export const createApiKeyBody = z.strictObject({
  name: z.string({ message: 'is required' }).trim().min(1, 'is required').max(100),
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }),
  scopes: z
    .array(z.enum(SCOPES, { message: `must be one of ${SCOPES.join(', ')}` }))
    .min(1, 'give at least one scope, or leave scopes out for all of them')
    .max(SCOPES.length * 2)
    .optional()
    .describe('what the key may be used for; default: every scope'),
  expiresAt: z.iso
    .datetime({ offset: true, message: 'must be an ISO-8601 date-time' })
    .optional()
    .describe('when the key stops working (401 after); must be in the future; default: never'),
});
export type CreateApiKeyBody = z.infer<typeof createApiKeyBody>;

export const uuidParam = z.uuid({ message: 'must be a UUID' });

// Responses. ApiKeyView (api-keys.service.ts) is inferred from this.

export const apiKeyView = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe('the fp_<prefix> part of the key, to tell keys apart'),
  role: z.enum(ROLES),
  userId: z.string().describe('the owner; the key never acts above their current role'),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable().describe('to the minute'),
  revokedAt: z.iso.datetime().nullable(),
  scopes: z.array(z.enum(SCOPES)).describe('the scopes the key may use; a route needs its scope besides its role'),
  expiresAt: z.iso.datetime().nullable().describe('null: never expires'),
});

export const createdApiKey = z.object({
  apiKey: apiKeyView,
  key: z.string().describe('fp_<prefix>_<secret>: shown only here, never again'),
});

export const apiKeyList = z.object({ apiKeys: z.array(apiKeyView) });
export type CreatedApiKey = z.infer<typeof createdApiKey>;
export type ApiKeyList = z.infer<typeof apiKeyList>;
