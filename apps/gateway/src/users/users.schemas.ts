import { z } from 'zod';
import { ROLES } from '../auth/roles.js';

/** Emails are compared lower-cased everywhere (sign-in included), as the users table stores them. */
export const userEmail = z
  .email({ message: 'must be an email address' })
  .max(254)
  .transform((e) => e.toLowerCase());

export const createUserBody = z.strictObject({
  email: userEmail,
  password: z.string({ message: 'is required' }).min(12, 'must be at least 12 characters').max(1024),
  role: z.enum(ROLES),
});
export type CreateUserBody = z.infer<typeof createUserBody>;

// Responses. UserView (users.service.ts) is inferred from this.

export const userView = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  createdAt: z.iso.datetime(),
  disabledAt: z.iso.datetime().nullable(),
});

export const userList = z.object({ users: z.array(userView) });
export type UserList = z.infer<typeof userList>;
