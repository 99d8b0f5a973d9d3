import { describe, expect, it } from 'vitest';
import { FakeClock, type KeysetCursor } from '@fleetplane/service-kit';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { AuditRepository, AuditRow } from './audit.repository.js';
import type { AuditSpool } from './audit-spool.js';
import type { AuditFilters } from './audit.schemas.js';
import { AuditService, filterScope } from './audit.service.js';

/** `n` rows, newest first, one second apart. */
function rows(n: number): AuditRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(n - i).padStart(12, '0')}`,
    at: new Date(Date.UTC(2026, 11, 1, 9, 0, n - i)),
    actor: 'u-1',
    actorType: 'user',
    action: 'command.submit',
    target: `c-${i}`,
    outcome: 'success',
    ip: null,
    traceId: null,
    commandId: null,
    details: {},
  }));
}

function setup(all: AuditRow[]) {
  const reads: { filters: AuditFilters; take: number; after: KeysetCursor<Date> | undefined }[] = [];
  const repo = {
    page: (filters: AuditFilters, take: number, after?: KeysetCursor<Date>) => {
      reads.push({ filters, take, after });
      const start = after ? all.findIndex((r) => r.id === after.id) + 1 : 0;
      return Promise.resolve(all.slice(start, start + take));
    },
  };
  return { reads, service: new AuditService(repo as unknown as AuditRepository, {} as AuditSpool, {} as GatewayMetrics, new FakeClock()) };
}

describe('AuditService.export', () => {
  it('reads one keyset batch per chunk, only as the consumer pulls', async () => {
    const { reads, service } = setup(rows(7));
    const gen = service.export({ format: 'ndjson', actor: 'u-1' }, 3);
    expect(reads).toHaveLength(0);
    const first = await gen.next();
    expect(reads).toEqual([{ filters: { actor: 'u-1' }, take: 3, after: undefined }]);
    expect(String(first.value).split('\n')).toHaveLength(4); // three lines and the trailing newline
    await gen.next();
    expect(reads).toHaveLength(2);
    expect(reads[1]!.after).toEqual({ key: rows(7)[2]!.at, id: rows(7)[2]!.id });
    const rest: string[] = [];
    for await (const chunk of gen) rest.push(chunk);
    expect(rest).toHaveLength(1); // the last, short batch ends the export without another read
    expect(reads).toHaveLength(3);
  });

  it('writes the CSV header first, and only it for no rows', async () => {
    const { service } = setup([]);
    const out: string[] = [];
    for await (const chunk of service.export({ format: 'csv' })) out.push(chunk);
    expect(out).toEqual(['id,at,actor,actorType,action,target,outcome,ip,traceId,commandId,details\r\n']);
  });

  it('exports exactly the rows a batch boundary falls on, without an empty extra chunk', async () => {
    const { service, reads } = setup(rows(6));
    const lines: string[] = [];
    for await (const chunk of service.export({ format: 'ndjson' }, 3)) lines.push(...chunk.trimEnd().split('\n'));
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(rows(6).map((r) => r.id));
    expect(reads).toHaveLength(3);
  });
});

describe(filterScope.name, () => {
  it('is empty without filters, so unfiltered tokens stay as they were', () => {
    expect(filterScope({})).toBe('');
  });

  it('differs for different filters and is the same for the same instant written differently', () => {
    const a = filterScope({ actor: 'u-1' });
    expect(a).not.toBe(filterScope({ actor: 'u-2' }));
    expect(a).not.toBe(filterScope({ target: 'u-1' }));
    expect(filterScope({ from: '2026-12-01T10:00:00+01:00' })).toBe(filterScope({ from: '2026-12-01T09:00:00Z' }));
    expect(a.length).toBeLessThanOrEqual(22);
    expect(filterScope({ commandId: '6f1c1c1e-7b43-4a4e-9a51-1f2d3c4b5a60' })).not.toBe(filterScope({}));
    expect(filterScope({ actor: 'u-1', commandId: '6f1c1c1e-7b43-4a4e-9a51-1f2d3c4b5a60' })).not.toBe(a);
  });
});

describe('AuditService.record', () => {
  const recorded = async (entry: { action: string; target?: string; commandId?: string; details?: Record<string, string> }) => {
    const inserted: { commandId?: string | null }[] = [];
    const repo = { insertMany: (rows: { commandId?: string | null }[]) => Promise.resolve(void inserted.push(...rows)) };
    await new AuditService(repo as unknown as AuditRepository, {} as AuditSpool, {} as GatewayMetrics, new FakeClock()).record({
      ...entry,
      outcome: 'success',
      ip: null,
    });
    return inserted[0]!.commandId;
  };

  it('files a command.* action under its target as the command id, unless it names another, and others by a commandId in their details', async () => {
    expect(await recorded({ action: 'command.submit', target: 'c-1' })).toBe('c-1');
    expect(await recorded({ action: 'command.retry', target: 'c-2', commandId: 'c-1' })).toBe('c-1');
    expect(await recorded({ action: 'command.submit' })).toBeNull();
    expect(await recorded({ action: 'user.create', target: 'u-1' })).toBeNull();
    // An execution's own action names its command in the details.
    expect(await recorded({ action: 'execution.cancel', target: 'e-1', details: { commandId: 'c-1' } })).toBe('c-1');
  });
});
