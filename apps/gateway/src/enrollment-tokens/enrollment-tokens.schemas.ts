import { z } from 'zod';

const labels = z
  .record(z.string().regex(/^[A-Za-z0-9_./-]{1,63}$/, 'label names are 1-63 characters of A-Z a-z 0-9 _ . / -'), z.string().max(255))
  .refine((l) => Object.keys(l).length <= 64, 'at most 64 labels');

export const createEnrollmentTokenBody = z.strictObject({
  site: z.string().max(128).optional().describe('the site of every agent that enrols with the token'),
  labels: labels.optional().describe('the labels of every agent that enrols with the token'),
  expiresAt: z.iso
    .datetime({ offset: true, message: 'must be an ISO-8601 date-time' })
    .optional()
    .describe('when the token stops working; must be in the future and within a year; default: 24 hours from now'),
  maxUses: z.number().int().min(1).max(100_000).optional().describe('how many agents may enrol with it; default 1'),
  allowReenroll: z
    .boolean()
    .optional()
    .describe('whether an agent id that is already enrolled (and not revoked) may enrol again, rotating its credential; default false'),
});
export type CreateEnrollmentTokenBody = z.infer<typeof createEnrollmentTokenBody>;

export const enrollmentTokenIdParam = z.uuid({ message: 'must be a UUID' });

export const listEnrollmentTokensQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
  pageToken: z.string().max(512).optional(),
});
export type ListEnrollmentTokensQuery = z.infer<typeof listEnrollmentTokensQuery>;

// Responses. EnrollmentTokenView (enrollment-token-view.ts) is inferred from this.

export const enrollmentTokenView = z.object({
  id: z.uuid(),
  prefix: z.string().describe('the fpe_<prefix> part of the token, to tell tokens apart'),
  site: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  uses: z.number().int(),
  maxUses: z.number().int(),
  allowReenroll: z.boolean(),
  expiresAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  createdBy: z.string().describe('the user or API key id that created it'),
  lastUsedAt: z.iso.datetime().nullable(),
  lastAgentId: z.string().nullable().describe('the agent that enrolled with it last'),
});

export const createdEnrollmentToken = z.object({
  enrollmentToken: enrollmentTokenView,
  token: z.string().describe('fpe_<prefix>_<secret>: shown only here, never again; agents present it to POST /v1/enroll on agent-hub'),
});

export const enrollmentTokenPage = z.object({
  enrollmentTokens: z.array(enrollmentTokenView).describe('newest first, revoked and used-up ones included'),
  nextPageToken: z.string().nullable().describe('pass back as pageToken for the next page; null on the last'),
});
export type CreatedEnrollmentToken = z.infer<typeof createdEnrollmentToken>;
export type EnrollmentTokenPage = z.infer<typeof enrollmentTokenPage>;
