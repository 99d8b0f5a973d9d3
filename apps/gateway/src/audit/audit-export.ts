import type { AuditView } from './audit.service.js';

/** The columns of a CSV export, in order: the fields of an audit entry, `details` as JSON. */
export const AUDIT_CSV_COLUMNS = ['id', 'at', 'actor', 'actorType', 'action', 'target', 'outcome', 'ip', 'traceId', 'commandId', 'details'] as const;

/**
 * One CSV field per RFC 4180: quoted when it holds a comma, a double quote, CR or LF (or starts or
 * ends with a space, which some readers trim), with inner quotes doubled. null is the empty field.
 */
export function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV record, CRLF-terminated as RFC 4180 says. */
export const csvRecord = (fields: ReadonlyArray<string | null>): string => `${fields.map(csvField).join(',')}\r\n`;

export const csvHeader = (): string => csvRecord(AUDIT_CSV_COLUMNS);

export function csvLine(e: AuditView): string {
  return csvRecord([e.id, e.at, e.actor, e.actorType, e.action, e.target, e.outcome, e.ip, e.traceId, e.commandId, JSON.stringify(e.details ?? {})]);
}

/** One JSON object per line (application/x-ndjson), the same object GET /audit lists. */
export const ndjsonLine = (e: AuditView): string => `${JSON.stringify(e)}\n`;

export const EXPORT_CONTENT_TYPES = { ndjson: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8; header=present' } as const;
