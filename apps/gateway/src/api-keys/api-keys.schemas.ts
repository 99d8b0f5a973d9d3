import { z } from 'zod';
import { ROLES } from '../auth/roles.js';

export const createApiKeyBody = z.strictObject({
  name: z.string({ message: 'is required' }).trim().min(1, 'is required').max(100),
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }),
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
});

export const createdApiKey = z.object({
  apiKey: apiKeyView,
  key: z.string().describe('fp_<prefix>_<secret>: shown only here, never again'),
});

export const apiKeyList = z.object({ apiKeys: z.array(apiKeyView) });
export type CreatedApiKey = z.infer<typeof createdApiKey>;
export type ApiKeyList = z.infer<typeof apiKeyList>;
