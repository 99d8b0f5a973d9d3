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

export const updateUserBody = z
  .strictObject({
    role: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }).optional(),
    disabled: z.boolean({ message: 'must be true or false' }).optional(),
  })
  .refine((b) => b.role !== undefined || b.disabled !== undefined, { message: 'give role, disabled or both' });
export type UpdateUserBody = z.infer<typeof updateUserBody>;

export const changePasswordBody = z.strictObject({
  currentPassword: z.string({ message: 'is required' }).min(1, 'is required').max(1024),
  newPassword: z.string({ message: 'is required' }).min(12, 'must be at least 12 characters').max(1024),
});
export type ChangePasswordBody = z.infer<typeof changePasswordBody>;

export const userIdParam = z.uuid({ message: 'must be a UUID' });

// Responses. UserView (users.service.ts) is inferred from this.

export const userView = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  createdAt: z.iso.datetime(),
  disabledAt: z.iso.datetime().nullable(),
  lastLoginAt: z.iso.datetime().nullable().describe('the last successful sign-in with the password'),
});

export const userList = z.object({ users: z.array(userView) });
export type UserList = z.infer<typeof userList>;
