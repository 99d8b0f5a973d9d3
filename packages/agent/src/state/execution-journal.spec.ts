import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecutionJournal } from './execution-journal.js';

const HOUR = 3_600_000;
const result = (executionId: string) => ({ type: 'RESULT' as const, executionId, status: 'COMPLETED' as const, exitCode: 0, stdout: 'ok\n' });

describe(ExecutionJournal.name, () => {
  let dir: string;
  let now: number;
  const open = (extra: { compactAfterRecords?: number } = {}) => ExecutionJournal.open(dir, { retentionMs: 24 * HOUR, now: () => now, ...extra });
  const journalText = () => readFileSync(join(dir, 'executions', 'journal.ndjson'), 'utf8');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-journal-'));
    now = 1_000_000;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts an id once', () => {
    const j = open();
    expect(j.accept('e1')).toBe(true);
    expect(j.accept('e1')).toBe(false);
    j.close();
  });

  it('remembers accepted ids, results and acks across a reopen', () => {
    const j = open();
    j.accept('e1');
    j.accept('e2');
    j.finish('e2', result('e2'));
    j.accept('e3');
    j.finish('e3', result('e3'));
    j.ack('e3');
    j.close();

    const again = open();
    expect(again.unfinished()).toEqual(['e1']);
    expect(again.unacked()).toEqual([result('e2')]);
    expect(again.get('e3')?.ackedAt).toBe(now);
    expect(again.accept('e3')).toBe(false);
    again.close();
  });

  it('ignores a torn last line left by a crash mid-append, and keeps every whole line before it', () => {
    const j = open();
    j.accept('e1');
    j.finish('e1', result('e1'));
    j.close();
    appendFileSync(join(dir, 'executions', 'journal.ndjson'), '{"op":"acked","id":"e1","a');

    const again = open();
    expect(again.unacked()).toEqual([result('e1')]);
    // The reopen rewrote the file without the torn bytes, so the next append starts on a line of its own.
    again.accept('e2');
    again.close();
    expect(
      journalText()
        .split('\n')
        .filter(Boolean)
        .every((l) => JSON.parse(l)),
    ).toBeTruthy();
    expect(open().get('e2')).toBeDefined();
  });

  it('skips a damaged line in the middle instead of refusing to start', () => {
    const j = open();
    j.accept('e1');
    j.close();
    appendFileSync(join(dir, 'executions', 'journal.ndjson'), 'garbage\n{"op":"accepted","id":"e2","at":1}\n');
    const again = open();
    expect(again.unfinished()).toEqual(['e1', 'e2']);
    again.close();
  });

  it('keeps an unacked result forever, and drops acked entries once past the retention', () => {
    const j = open();
    j.accept('old-acked');
    j.finish('old-acked', result('old-acked'));
    j.ack('old-acked');
    j.accept('old-unacked');
    j.finish('old-unacked', result('old-unacked'));
    now += 25 * HOUR;
    j.accept('fresh');
    j.finish('fresh', result('fresh'));
    j.ack('fresh');
    j.prune();
    expect(j.get('old-acked')).toBeUndefined();
    expect(j.get('old-unacked')).toBeDefined();
    expect(j.get('fresh')).toBeDefined();
    j.close();
    expect(journalText()).not.toContain('old-acked');
  });

  it('compacts by itself after enough appends, so the file stays bounded', () => {
    const j = open({ compactAfterRecords: 50 });
    for (let i = 0; i < 200; i++) {
      j.accept(`e${i}`);
      j.finish(`e${i}`, result(`e${i}`));
      j.ack(`e${i}`);
      now += 2 * HOUR; // each entry is past the retention a dozen executions later
    }
    j.close();
    expect(journalText().split('\n').filter(Boolean).length).toBeLessThan(60);
  });

  it('loses no record to a compaction that the record itself triggered', () => {
    const j = open({ compactAfterRecords: 1 });
    j.accept('e1');
    j.finish('e1', result('e1'));
    j.ack('e1');
    j.accept('e2');
    j.close();
    const again = open();
    expect(again.get('e1')?.ackedAt).toBe(now);
    expect(again.unfinished()).toEqual(['e2']);
    again.close();
  });

  it('keeps the process group of an unfinished execution across a reopen and a compaction, and forgets it with the result', () => {
    const group = { pgid: 4321, startTime: '987654', bootId: 'b-1' };
    const j = open({ compactAfterRecords: 3 });
    j.started('nobody', group);
    j.accept('e1');
    j.started('e1', group);
    j.accept('e2');
    j.started('e2', { ...group, pgid: 4322 });
    j.finish('e2', result('e2'));
    j.close();
    const again = open();
    expect(again.get('nobody')).toBeUndefined();
    expect(again.get('e1')?.group).toEqual(group);
    expect(again.get('e2')?.group).toBeUndefined();
    again.prune();
    again.close();
    expect(open().get('e1')?.group).toEqual(group);
    expect(journalText()).not.toContain('4322');
  });

  it('ignores an ack for an unknown or unfinished execution, and a second result', () => {
    const j = open();
    j.ack('nobody');
    j.accept('e1');
    j.ack('e1');
    expect(j.get('e1')?.ackedAt).toBeUndefined();
    j.finish('e1', result('e1'));
    j.finish('e1', { ...result('e1'), status: 'FAILED' });
    expect(j.unacked()).toEqual([result('e1')]);
    j.close();
  });

  it('records nothing after close, so a result arriving while the agent exits cannot crash it', () => {
    const j = open();
    j.accept('e1');
    j.close();
    j.finish('e1', result('e1'));
    j.close();
    expect(open().unfinished()).toEqual(['e1']);
  });

  it('keeps the directory private to the agent', () => {
    open().close();
    expect(statSync(join(dir, 'executions')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'executions', 'journal.ndjson')).mode & 0o777).toBe(0o600);
  });
});
