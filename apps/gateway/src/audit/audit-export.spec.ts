import { describe, expect, it } from 'vitest';
import { parseCsv } from '../test/parse-csv.js';
import { AUDIT_CSV_COLUMNS, csvField, csvHeader, csvLine, csvRecord, ndjsonLine } from './audit-export.js';
import type { AuditView } from './audit.service.js';

const entry: AuditView = {
  id: '0b4c5f0e-8c55-4a53-9d1a-0f6f9a3b8f11',
  at: '2026-12-01T09:00:00.000Z',
  actor: 'u-1',
  actorType: 'user',
  action: 'user.create',
  target: 'a,b "c"\r\nd',
  outcome: 'failed',
  ip: null,
  traceId: null,
  commandId: null,
  details: { reason: 'email_taken', note: 'say "hi", then\nleave' },
};

describe('CSV export (RFC 4180)', () => {
  it('leaves plain fields alone and writes null as the empty field', () => {
    expect(csvField('command.submit')).toBe('command.submit');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
  });

  it('quotes fields with a comma, quote, CR or LF, doubling inner quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('"')).toBe('""""');
    expect(csvField('line1\nline2')).toBe('"line1\nline2"');
    expect(csvField('line1\r\nline2')).toBe('"line1\r\nline2"');
    expect(csvField('cr\ronly')).toBe('"cr\ronly"');
    expect(csvField(' padded ')).toBe('" padded "');
  });

  it('ends every record with CRLF', () => {
    expect(csvRecord(['a', null, 'b,c'])).toBe('a,,"b,c"\r\n');
    expect(csvHeader()).toBe(`${AUDIT_CSV_COLUMNS.join(',')}\r\n`);
  });

  it('round-trips an entry through an independent RFC 4180 reader', () => {
    const [header, row, ...rest] = parseCsv(csvHeader() + csvLine(entry));
    expect(rest).toEqual([]);
    expect(header).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(row).toEqual([entry.id, entry.at, 'u-1', 'user', 'user.create', 'a,b "c"\r\nd', 'failed', '', '', '', JSON.stringify(entry.details)]);
    expect(JSON.parse(row![10]!)).toEqual(entry.details);
  });

  it('writes one JSON object per line in NDJSON', () => {
    const line = ndjsonLine(entry);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(entry);
  });
});
