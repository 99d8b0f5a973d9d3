import { z } from 'zod';
import { MAX_PAGE_SIZE } from '@fleetplane/service-kit';

// Out-of-range sizes are refused with a 400 naming pageSize rather than clamped; none means service-kit's default (50).
export const auditQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  pageToken: z.string().max(200).optional(),
});
export type AuditQuery = z.infer<typeof auditQuery>;

export const AUDIT_OUTCOMES = ['success', 'denied', 'failed'] as const;

// Responses. AuditView (audit.service.ts) is inferred from this.

export const auditEntryView = z.object({
  id: z.uuid(),
  at: z.iso.datetime(),
  actor: z.string().nullable().describe('a user id or API key id; null when the caller was not known (a failed login)'),
  actorType: z.enum(['user', 'api_key']).nullable(),
  action: z.string().describe('e.g. command.submit, api_key.revoke'),
  target: z.string().nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
  ip: z.string().nullable(),
  traceId: z.string().nullable(),
  details: z.unknown().describe('never a secret'),
});

export const auditPage = z.object({
  entries: z.array(auditEntryView),
  nextPageToken: z.string().nullable().describe('pass back as pageToken for the next page; null on the last'),
});
export type AuditPage = z.infer<typeof auditPage>;
