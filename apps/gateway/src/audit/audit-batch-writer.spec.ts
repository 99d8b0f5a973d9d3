import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { AuditBatchWriter, type AuditBatchPorts } from './audit-batch-writer.js';
import type { SpooledRow } from './audit-spool.js';
import { executionAuditRow, executionAuditRowId, FINAL_EXECUTION_STATES } from './execution-audit-listener.js';

const event = (n: number, state: 'COMPLETED' | 'FAILED' | 'RUNNING' = 'COMPLETED') => ({
  commandId: '6f1c1c1e-7b43-4a4e-9a51-1f2d3c4b5a60',
  executionId: `exec-${n}`,
  agentId: `agent-${n}`,
  state,
  ...(state === 'FAILED' ? { exitCode: 2 } : {}),
  at: new Date(Date.UTC(2026, 11, 1, 12, 0, n)).toISOString(),
});
const row = (n: number) => executionAuditRow(event(n), null)!;

/** A table that keeps each id once (like createMany skipDuplicates) and counts INSERTs; `down` refuses them. */
function fakePorts() {
  const table = new Map<string, SpooledRow>();
  const spooled: SpooledRow[] = [];
  const ports = {
    inserts: 0,
    down: false,
    spoolBroken: false,
    lost: 0,
    insertMany(rows: SpooledRow[]): Promise<void> {
      ports.inserts++;
      if (ports.down) return Promise.reject(new Error('connection refused'));
      for (const r of rows) if (!table.has(r.id)) table.set(r.id, r);
      return Promise.resolve();
    },
    spool: {
      get pendingRows() {
        return spooled.length;
      },
      appendMany(rows: SpooledRow[]): Promise<void> {
        if (ports.spoolBroken) return Promise.reject(new Error('disk full'));
        spooled.push(...rows);
        return Promise.resolve();
      },
    },
    written: vi.fn(),
    spooled: vi.fn(),
    lostRows(n: number) {
      ports.lost += n;
    },
  };
  const asPorts: AuditBatchPorts = { ...ports, insertMany: (r) => ports.insertMany(r), lost: (n) => ports.lostRows(n), spool: ports.spool };
  return { ports, asPorts, table, spooled };
}

describe(AuditBatchWriter.name, () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a full batch at once as one INSERT', async () => {
    const { ports, asPorts, table } = fakePorts();
    const writer = new AuditBatchWriter(asPorts, { maxRows: 3, flushMs: 1_000 });
    for (const n of [1, 2, 3, 4]) writer.add(row(n));
    await vi.advanceTimersByTimeAsync(0);
    expect(ports.inserts).toBe(1);
    expect([...table.keys()]).toEqual([1, 2, 3].map((n) => executionAuditRowId(`exec-${n}`)));
    expect(writer.waiting).toBe(1);
  });

  it('writes a partial batch after flushMs, counted from its first row', async () => {
    const { ports, asPorts, table } = fakePorts();
    const writer = new AuditBatchWriter(asPorts, { maxRows: 100, flushMs: 1_000 });
    writer.add(row(1));
    await vi.advanceTimersByTimeAsync(600);
    writer.add(row(2));
    await vi.advanceTimersByTimeAsync(399);
    expect(ports.inserts).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(ports.inserts).toBe(1);
    expect(table.size).toBe(2);
    expect(ports.written).toHaveBeenCalledWith(2);
  });

  it('spools a batch the database refused, so none is lost, and goes on writing when it is back', async () => {
    const { ports, asPorts, table, spooled } = fakePorts();
    const writer = new AuditBatchWriter(asPorts, { maxRows: 2, flushMs: 50 });
    ports.down = true;
    for (const n of [1, 2, 3]) writer.add(row(n));
    await writer.flush();
    expect(spooled.map((r) => r.target)).toEqual(['exec-1', 'exec-2', 'exec-3']);
    expect(ports.spooled).toHaveBeenLastCalledWith(1, 3, expect.any(Error));
    ports.down = false;
    writer.add(row(4));
    await vi.advanceTimersByTimeAsync(50);
    expect([...table.values()].map((r) => r.target)).toEqual(['exec-4']);
  });

  it('counts rows neither the database nor the spool took as lost', async () => {
    const { ports, asPorts } = fakePorts();
    const writer = new AuditBatchWriter(asPorts, { maxRows: 10, flushMs: 50 });
    ports.down = true;
    ports.spoolBroken = true;
    writer.add(row(1));
    writer.add(row(2));
    await writer.flush();
    expect(ports.lost).toBe(2);
  });
});

describe('execution audit rows', () => {
  it('are written for the final states only', () => {
    expect([...FINAL_EXECUTION_STATES].sort()).toEqual(['CANCELLED', 'COMPLETED', 'EXPIRED', 'FAILED', 'SKIPPED', 'TIMED_OUT']);
    expect(executionAuditRow(event(1, 'RUNNING'), null)).toBeNull();
  });

  it('name the execution, its command, agent, state and exit code, at the time it ended', () => {
    expect(executionAuditRow(event(7, 'FAILED'), 'ab'.repeat(16))).toEqual({
      id: executionAuditRowId('exec-7'),
      at: new Date(Date.UTC(2026, 11, 1, 12, 0, 7)),
      action: 'execution.finished',
      outcome: 'failed',
      actor: null,
      actorType: null,
      ip: null,
      target: 'exec-7',
      traceId: 'ab'.repeat(16),
      commandId: '6f1c1c1e-7b43-4a4e-9a51-1f2d3c4b5a60',
      details: { agentId: 'agent-7', state: 'FAILED', exitCode: 2 },
    });
    expect(row(1).outcome).toBe('success');
  });

  it('have one id per execution, a UUID the audit schemas take', () => {
    expect(executionAuditRowId('exec-1')).toBe(executionAuditRowId('exec-1'));
    expect(executionAuditRowId('exec-1')).not.toBe(executionAuditRowId('exec-2'));
    for (const id of ['exec-1', 'x', '0b4c5f0e-8c55-4a53-9d1a-0f6f9a3b8f11']) expect(z.uuid().safeParse(executionAuditRowId(id)).success).toBe(true);
  });
});
