import { z } from 'zod';
import { userEmail } from '../users/users.schemas.js';

export const loginBody = z.strictObject({
  email: userEmail,
  password: z.string({ message: 'is required' }).min(1, 'is required').max(1024),
});
export type LoginBody = z.infer<typeof loginBody>;

export const refreshBody = z.strictObject({
  refreshToken: z.string({ message: 'is required' }).min(1, 'is required').max(256),
});
export type RefreshBody = z.infer<typeof refreshBody>;
