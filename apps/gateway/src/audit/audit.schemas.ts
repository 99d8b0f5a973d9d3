import { z } from 'zod';
import { MAX_PAGE_SIZE } from '@fleetplane/service-kit';

export const AUDIT_OUTCOMES = ['success', 'denied', 'failed'] as const;
export const AUDIT_EXPORT_FORMATS = ['ndjson', 'csv'] as const;

const instant = z.iso.datetime({ offset: true }).describe('ISO 8601 with a time zone, e.g. 2026-12-01T09:00:00Z');

const rangeInOrder = (f: { from?: string | undefined; to?: string | undefined }): boolean => !f.from || !f.to || Date.parse(f.from) <= Date.parse(f.to);
const RANGE_OUT_OF_ORDER = { path: ['to'], message: 'must not be before from' };

/**
 * The filters of GET /audit and GET /audit/export; each narrows the listing, all must match.
 * A page token is bound to them (audit.service.ts), so a token cannot page another filter.
 */
export const auditFilters = z
  .object({
    actor: z.string().min(1).max(200).optional().describe('a user id or API key id'),
    action: z
      .string()
      .regex(/^[a-z_]+\.[a-z_]+$/, 'must look like command.submit')
      .optional()
      .describe('exact, e.g. command.submit'),
    resourceType: z
      .string()
      .regex(/^[a-z_]+$/, 'must look like api_key')
      .optional()
      .describe('the resource kind, the part of the action before the dot: command, api_key, user, agent, auth'),
    target: z.string().min(1).max(200).optional().describe('the resource id (or what the action named, e.g. an email for auth.login), exact'),
    outcome: z.enum(AUDIT_OUTCOMES).optional(),
    from: instant.optional().describe('entries at or after this instant (ISO 8601)'),
    to: instant.optional().describe('entries before this instant (ISO 8601, exclusive)'),
    traceId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex digits')
      .optional(),
    commandId: z
      .uuid({ message: 'must be a command id (uuid)' })
      .optional()
      .describe("everything about one command: its submit, cancels, retry and each execution's final state (action execution.finished)"),
  })
  .refine(rangeInOrder, RANGE_OUT_OF_ORDER);
export type AuditFilters = z.infer<typeof auditFilters>;

// Out-of-range sizes are refused with a 400 naming pageSize rather than clamped; none means service-kit's default (50).
export const auditQuery = z
  .object({
    ...auditFilters.shape,
    pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
    pageToken: z.string().max(200).optional(),
  })
  .refine(rangeInOrder, RANGE_OUT_OF_ORDER);
export type AuditQuery = z.infer<typeof auditQuery>;

export const auditExportQuery = z
  .object({
    ...auditFilters.shape,
    format: z.enum(AUDIT_EXPORT_FORMATS),
  })
  .refine(rangeInOrder, RANGE_OUT_OF_ORDER);
export type AuditExportQuery = z.infer<typeof auditExportQuery>;

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
  commandId: z.string().nullable().describe('the command the entry is about, if any'),
  details: z.unknown().describe('never a secret'),
});

export const auditPage = z.object({
  entries: z.array(auditEntryView),
  nextPageToken: z.string().nullable().describe('pass back as pageToken for the next page; null on the last'),
});
export type AuditPage = z.infer<typeof auditPage>;
