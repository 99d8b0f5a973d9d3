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

/** The answer of login and refresh; TokenPair (token-issuer.ts) is inferred from it. */
export const tokenPair = z.object({
  accessToken: z.string().describe('a JWT for Authorization: Bearer'),
  refreshToken: z.string().describe('rotates on every use'),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe("the access token's lifetime in seconds"),
});
