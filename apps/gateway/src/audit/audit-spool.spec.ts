import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metricsRegistry } from '@fleetplane/observability';
import { FakeClock, MetricFactory } from '@fleetplane/service-kit';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { AuditRepository, NewAuditRow } from './audit.repository.js';
import { AuditService } from './audit.service.js';
import { AuditSpool, type SpooledRow } from './audit-spool.js';

const row = (n: number): SpooledRow => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  at: new Date(Date.UTC(2026, 11, 1, 9, 0, n)),
  action: 'command.submit',
  outcome: 'success',
  actor: 'u-1',
  actorType: 'user',
  ip: '127.0.0.1',
  target: `c-${n}`,
  traceId: null,
  details: { n },
});

/** A table that, like `createMany({ skipDuplicates: true })`, keeps each id once; `down` makes it refuse writes. */
class FakeTable {
  readonly rows = new Map<string, NewAuditRow>();
  down = false;
  /** Fail after this many rows of the next insert (a connection lost mid-batch). */
  failAfter?: number;

  insertMany = (rows: NewAuditRow[]): Promise<void> => {
    if (this.down) return Promise.reject(new Error('connection refused'));
    for (const [i, r] of rows.entries()) {
      if (this.failAfter !== undefined && i >= this.failAfter) {
        this.failAfter = undefined;
        return Promise.reject(new Error('connection reset'));
      }
      this.rows.set(r.id!, r);
    }
    return Promise.resolve();
  };
}

describe(AuditSpool.name, () => {
  let dir: string;
  let table: FakeTable;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-spool-'));
    table = new FakeTable();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps rows while the database refuses them and writes each exactly once when it is back', async () => {
    const spool = new AuditSpool(dir);
    for (const n of [1, 2, 3]) await spool.append(row(n));
    table.down = true;
    await expect(spool.drain(table.insertMany)).rejects.toThrow('connection refused');
    await spool.append(row(4));
    expect(spool.pendingRows).toBe(4);

    table.down = false;
    expect(await spool.drain(table.insertMany)).toEqual({ written: 4, unreadable: 0 });
    expect([...table.rows.keys()].sort()).toEqual([1, 2, 3, 4].map((n) => row(n).id));
    expect(table.rows.get(row(2).id)).toEqual(row(2));
    expect(spool.pendingRows).toBe(0);
    expect(await readdir(dir)).toEqual([]);
    expect(await spool.drain(table.insertMany)).toEqual({ written: 0, unreadable: 0 });
  });

  it('replays a batch cut short by a lost connection without doubling the rows already in', async () => {
    const spool = new AuditSpool(dir);
    for (let n = 1; n <= 5; n++) await spool.append(row(n));
    table.failAfter = 2;
    await expect(spool.drain(table.insertMany, 5)).rejects.toThrow('connection reset');
    expect(table.rows.size).toBe(2);
    expect((await spool.drain(table.insertMany, 5)).written).toBe(5);
    expect(table.rows.size).toBe(5);
  });

  it('survives a restart: a new spool on the same directory writes what the last one left', async () => {
    const before = new AuditSpool(dir);
    await before.append(row(1));
    table.down = true;
    await expect(before.drain(table.insertMany)).rejects.toThrow();
    await before.append(row(2));

    table.down = false;
    const after = new AuditSpool(dir);
    expect((await after.drain(table.insertMany)).written).toBe(2);
    expect(table.rows.size).toBe(2);
  });

  it("leaves a live process's segments alone and takes over a dead one's", async () => {
    const foreign = `seg-999999-abcd1234-000000.ndjson`;
    await writeFile(join(dir, foreign), `${JSON.stringify(row(7))}\n`);
    let alive = true;
    const spool = new AuditSpool(dir, () => alive);
    expect((await spool.drain(table.insertMany)).written).toBe(0);
    expect(await readdir(dir)).toEqual([foreign]);
    alive = false;
    expect((await spool.drain(table.insertMany)).written).toBe(1);
    expect(table.rows.has(row(7).id)).toBe(true);
  });

  it('counts a line cut short by a crash as unreadable and still writes the others', async () => {
    const spool = new AuditSpool(dir);
    await spool.append(row(1));
    const [segment] = await readdir(dir);
    await appendFile(join(dir, segment!), '{"id":"00000000-0000-4000-8000-0000');
    expect(await spool.drain(table.insertMany)).toEqual({ written: 1, unreadable: 1 });
  });
});

describe('AuditService.record', () => {
  it('writes the rows of concurrent requests in shared inserts, each request waiting for its own row', async () => {
    const batches: NewAuditRow[][] = [];
    const repo = { insertMany: (rows: NewAuditRow[]) => Promise.resolve(void batches.push(rows)) } as unknown as AuditRepository;
    const service = new AuditService(repo, {} as AuditSpool, new GatewayMetrics(new MetricFactory('gateway')), new FakeClock());
    await Promise.all(Array.from({ length: 50 }, (_, i) => service.record({ action: 'command.submit', outcome: 'success', ip: null, target: `c-${i}` })));
    expect(
      batches
        .flat()
        .map((r) => r.target)
        .sort(),
    ).toEqual(Array.from({ length: 50 }, (_, i) => `c-${i}`).sort());
    expect(batches.length).toBe(1);
  });
});

describe('AuditService.record when the database refuses the row', () => {
  it('spools the row with its id and time, and counts the failure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audit-spool-'));
    try {
      const table = new FakeTable();
      table.down = true;
      const repo = { insertMany: table.insertMany } as unknown as AuditRepository;
      const spool = new AuditSpool(dir);
      const clock = new FakeClock(Date.UTC(2026, 11, 1, 12));
      await new AuditService(repo, spool, new GatewayMetrics(new MetricFactory('gateway')), clock).record({
        action: 'user.create',
        outcome: 'success',
        ip: null,
        target: 'u-9',
      });

      expect(spool.pendingRows).toBe(1);
      const text = await metricsRegistry.metrics();
      expect(text).toMatch(/fleetplane_gateway_audit_write_failures_total 1/);
      expect(text).toMatch(/fleetplane_gateway_audit_spool_rows 1/);
      table.down = false;
      await spool.drain(table.insertMany);
      const [written] = [...table.rows.values()];
      expect(written).toMatchObject({ action: 'user.create', target: 'u-9', at: new Date(Date.UTC(2026, 11, 1, 12)) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
