import { z } from 'zod';
import { ROLES } from '../auth/roles.js';

export const createApiKeyBody = z.strictObject({
  name: z.string({ message: 'is required' }).trim().min(1, 'is required').max(100),
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }),
});
export type CreateApiKeyBody = z.infer<typeof createApiKeyBody>;

export const uuidParam = z.uuid({ message: 'must be a UUID' });
