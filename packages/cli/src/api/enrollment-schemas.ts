import { z } from 'zod';

// The gateway's enrollment-token bodies (GET/POST /enrollment-tokens), parsed as schemas.ts does the rest.

export const enrollmentTokenSchema = z.object({
  id: z.string(),
  prefix: z.string(),
  site: z.string().nullable().default(null),
  labels: z.record(z.string(), z.string()).default({}),
  uses: z.number().int(),
  maxUses: z.number().int(),
  allowReenroll: z.boolean(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable().default(null),
  createdAt: z.string(),
  createdBy: z.string(),
  lastUsedAt: z.string().nullable().default(null),
  lastAgentId: z.string().nullable().default(null),
});
export type EnrollmentToken = z.infer<typeof enrollmentTokenSchema>;

export const createdEnrollmentTokenSchema = z.object({ enrollmentToken: enrollmentTokenSchema, token: z.string().min(1) });
export type CreatedEnrollmentToken = z.infer<typeof createdEnrollmentTokenSchema>;

export const enrollmentTokenPageSchema = z.object({ enrollmentTokens: z.array(enrollmentTokenSchema), nextPageToken: z.string().nullable() });
