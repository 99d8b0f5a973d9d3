import { describe, expect, it } from 'vitest';
import type { ExecutionUpdate } from '@fleetplane/contracts';
import { planUpdates, type ExecutionSnapshot } from './update-plan.js';

const E1 = '0190a0a0-0000-7000-8000-000000000001';
const E2 = '0190a0a0-0000-7000-8000-000000000002';
const C = '0190a0a0-0000-7000-8000-0000000000c0';

const snap = (id: string, state: ExecutionSnapshot['state'], extra: Partial<ExecutionSnapshot> = {}): ExecutionSnapshot => ({
  id,
  commandId: C,
  agentId: 'web-1',
  state,
  truncated: false,
  createdAt: new Date('2026-12-01T09:59:59.000Z'),
  rateControlled: false,
  ...extra,
});
const update = (executionId: string, status: ExecutionUpdate['status'], extra: Partial<ExecutionUpdate> = {}): ExecutionUpdate => ({
  executionId,
  agentId: 'web-1',
  status,
  at: '2026-12-01T10:00:00.000Z',
  ...extra,
});
const snapshots = (...s: ExecutionSnapshot[]) => new Map(s.map((x) => [x.id, x]));

describe('planUpdates', () => {
  it('folds RUNNING and the result of one execution into one move from the state it was read in', () => {
    const plan = planUpdates(
      [update(E1, 'RUNNING', { at: '2026-12-01T10:00:01.000Z' }), update(E1, 'COMPLETED', { exitCode: 0, stdout: 'ok', at: '2026-12-01T10:00:02.000Z' })],
      snapshots(snap(E1, 'DISPATCHED')),
    );
    expect(plan.ignored).toEqual([]);
    expect(plan.moves).toHaveLength(1);
    expect(plan.moves[0]).toMatchObject({
      to: 'COMPLETED',
      runningAt: new Date('2026-12-01T10:00:01.000Z'),
      outcome: { state: 'COMPLETED', exitCode: 0, stdout: 'ok', finishedAt: new Date('2026-12-01T10:00:02.000Z') },
    });
    expect(plan.moves[0]!.snapshot.state).toBe('DISPATCHED');
    expect(plan.moves[0]!.updates).toHaveLength(2);
  });

  it('keeps the first final outcome: a later one in the same batch is ignored', () => {
    const plan = planUpdates([update(E1, 'FAILED', { exitCode: 2 }), update(E1, 'COMPLETED', { exitCode: 0 })], snapshots(snap(E1, 'RUNNING')));
    expect(plan.moves.map((m) => [m.to, m.outcome?.exitCode])).toEqual([['FAILED', 2]]);
    expect(plan.ignored.map((i) => i.result)).toEqual(['already_finished']);
  });

  it('ignores unknown executions, updates from another agent, a second RUNNING, and anything after the end', () => {
    const plan = planUpdates(
      [update(E2, 'RUNNING'), update(E1, 'COMPLETED', { agentId: 'intruder' }), update(E1, 'RUNNING'), update(E1, 'RUNNING')],
      snapshots(snap(E1, 'QUEUED')),
    );
    expect(plan.ignored.map((i) => i.result)).toEqual(['unknown_execution', 'foreign_agent', 'stale']);
    expect(plan.moves.map((m) => m.to)).toEqual(['RUNNING']);

    const finished = planUpdates([update(E1, 'RUNNING'), update(E1, 'COMPLETED')], snapshots(snap(E1, 'CANCELLED')));
    expect(finished.moves).toEqual([]);
    expect(finished.ignored.map((i) => i.result)).toEqual(['already_finished', 'already_finished']);
  });

  it('stores REJECTED as FAILED with the reason, and keeps output already known to be truncated', () => {
    const plan = planUpdates([update(E1, 'REJECTED', { error: 'queue full' })], snapshots(snap(E1, 'DISPATCHED', { truncated: true })));
    expect(plan.moves[0]!.outcome).toMatchObject({ state: 'FAILED', error: 'rejected by the agent: queue full', truncated: true, exitCode: null });
  });

  it('makes an unstorable result storable instead of failing the batch: NUL in text, an exit code outside int4', () => {
    const plan = planUpdates([update(E1, 'FAILED', { stdout: 'a\0b', error: '\0', exitCode: 2 ** 40 })], snapshots(snap(E1, 'RUNNING')));
    expect(plan.moves[0]!.outcome).toMatchObject({ stdout: 'a\uFFFDb', error: '\uFFFD', exitCode: null });
  });

  it('asks for the rate-control step again on a repeated result of a finished execution, only when its command has rate control', () => {
    const withLimits = planUpdates([update(E1, 'COMPLETED')], snapshots(snap(E1, 'FAILED', { rateControlled: true })));
    expect(withLimits.refinish).toEqual([{ commandId: C, state: 'FAILED' }]);
    const without = planUpdates([update(E1, 'COMPLETED')], snapshots(snap(E1, 'FAILED')));
    expect(without.refinish).toEqual([]);
  });
});
