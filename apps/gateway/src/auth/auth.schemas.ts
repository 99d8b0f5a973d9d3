import { z } from 'zod';
import { ROLES } from './roles.js';

const email = z.email({ message: 'must be an email address' }).max(254).transform((e) => e.toLowerCase());

export const loginBody = z.strictObject({
  email,
  password: z.string({ message: 'is required' }).min(1, 'is required').max(1024),
});
export type LoginBody = z.infer<typeof loginBody>;

export const refreshBody = z.strictObject({
  refreshToken: z.string({ message: 'is required' }).min(1, 'is required').max(256),
});
export type RefreshBody = z.infer<typeof refreshBody>;

export const createUserBody = z.strictObject({
  email,
  password: z.string({ message: 'is required' }).min(12, 'must be at least 12 characters').max(1024),
  role: z.enum(ROLES),
});
export type CreateUserBody = z.infer<typeof createUserBody>;
