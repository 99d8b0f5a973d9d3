import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { CommandFrame, CommandPriority } from '@fleetplane/contracts';
import type { GroupIdentity, GroupState } from '../process/process-group.js';
import type { ProcessResult, RunOptions } from '../process/run-process.js';
import { ExecutionJournal } from '../state/execution-journal.js';
import { ExecutionManager, RESTARTED_DURING_EXECUTION, type RunProcess } from './execution-manager.js';
import type { OutputBody, ResultBody, SessionFeatures } from './session-link.js';

const cmd = (executionId: string, over: Partial<CommandFrame> = {}): CommandFrame => ({
  v: 1,
  id: `f-${executionId}`,
  ts: new Date().toISOString(),
  type: 'COMMAND',
  executionId,
  commandId: 'cmd-1',
  verb: 'exec',
  params: { argv: ['echo', executionId] },
  timeoutSeconds: 7,
  ...over,
});

const done = (over: Partial<ProcessResult> = {}): ProcessResult => ({
  status: 'COMPLETED',
  exitCode: 0,
  stdout: 'full output\n',
  stderr: '',
  truncated: false,
  tail: { stdout: 'tail\n', stderr: '', truncated: true },
  outputBytes: { stdout: 12, stderr: 0 },
  ...over,
});

/** A process runner the test finishes by hand: each started run waits for release(id). */
class ManualRuns {
  readonly started: Array<{ id: string; argv: string[]; opts: RunOptions | undefined }> = [];
  private readonly releases = new Map<string, (r: ProcessResult) => void>();

  run: RunProcess = (spec, _timeout, opts) => {
    const id = spec.argv[1]!;
    this.started.push({ id, argv: spec.argv, opts });
    opts?.onSpawn?.(1);
    return new Promise((resolve) => {
      this.releases.set(id, resolve);
      opts?.cancel?.addEventListener('abort', () => resolve(done({ status: 'CANCELLED', error: 'cancelled', exitCode: 143 })));
    });
  };

  release(id: string, r: ProcessResult = done()): void {
    this.releases.get(id)!(r);
  }
}

describe(ExecutionManager.name, () => {
  let dir: string;
  let journal: ExecutionJournal;
  let runs: ManualRuns;
  let sent: Array<ResultBody | OutputBody>;
  let connected: boolean;
  let features: SessionFeatures;
  /** The process groups the manager asked to stop, and what the fake finds for each. */
  let orphansStopped: GroupIdentity[];
  let orphanState: GroupState;

  const manager = (over: { maxConcurrent?: number; maxQueued?: number } = {}) =>
    new ExecutionManager({
      journal,
      link: { send: (b) => connected && sent.push(b) > 0, features: () => features },
      capabilities: ['exec', 'system.info'],
      log: pino({ level: 'silent' }),
      maxConcurrent: over.maxConcurrent ?? 4,
      maxQueued: over.maxQueued ?? 1_000,
      systemInfo: () => Promise.resolve({ hostname: 'h' }),
      run: runs.run,
      baseEnv: {},
      identify: (pid) => ({ pgid: pid, startTime: '4242', bootId: 'boot-1' }),
      stopOrphan: (group) => {
        orphansStopped.push(group);
        return { found: orphanState, done: Promise.resolve() };
      },
    });
  const results = (status?: string) => sent.filter((b): b is ResultBody => b.type === 'RESULT' && (!status || b.status === status));
  /** Final results as the agent keeps them (every status it can reach; the wire may carry an older one). */
  const stored = (status: string) => journal.unacked().filter((r) => r.status === status);
  const flush = () => new Promise((r) => setTimeout(r, 0));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-exec-'));
    journal = ExecutionJournal.open(dir, { retentionMs: 86_400_000 });
    runs = new ManualRuns();
    sent = [];
    connected = true;
    features = { cancel: true, output: true, resultAck: true };
    orphansStopped = [];
    orphanState = 'running';
  });
  afterEach(() => {
    journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs at most maxConcurrent at once and starts queued ones by priority as slots free up', async () => {
    const m = manager({ maxConcurrent: 2 });
    const submit = (id: string, priority: CommandPriority) => m.onCommand(cmd(id, { priority }));
    submit('first', 'LOW');
    submit('second', 'LOW');
    submit('low', 'LOW');
    submit('normal', 'NORMAL');
    submit('critical', 'CRITICAL');
    await flush();
    expect(runs.started.map((s) => s.id)).toEqual(['first', 'second']);
    expect([m.runningCount, m.queuedCount]).toEqual([2, 3]);
    runs.release('first');
    await flush();
    runs.release('second');
    await flush();
    expect(runs.started.map((s) => s.id)).toEqual(['first', 'second', 'critical', 'normal']);
  });

  it('REJECTs a COMMAND beyond the local queue, an unknown verb and bad params, naming why', async () => {
    const m = manager({ maxConcurrent: 1, maxQueued: 1 });
    m.onCommand(cmd('running'));
    m.onCommand(cmd('queued'));
    m.onCommand(cmd('overflow'));
    m.onCommand(cmd('docker', { verb: 'docker.ps', params: {} }));
    m.onCommand(cmd('bad', { params: { argv: 'rm -rf /' } }));
    await flush();
    const rejected = stored('REJECTED');
    expect(rejected.map((r) => [r.executionId, r.error])).toEqual([
      ['overflow', "the agent's queue is full (1 executions waiting)"],
      ['docker', 'verb docker.ps is not available on this agent'],
      ['bad', expect.stringMatching(/^params\.argv: /)],
    ]);
    expect(runs.started.map((s) => s.id)).toEqual(['running']);
  });

  it('with no room to wait (AGENT_MAX_QUEUED_EXECUTIONS=0) runs what finds a free slot and REJECTs the rest', async () => {
    const m = manager({ maxConcurrent: 1, maxQueued: 0 });
    m.onCommand(cmd('first'));
    m.onCommand(cmd('second'));
    await flush();
    expect(runs.started.map((s) => s.id)).toEqual(['first']);
    expect(stored('REJECTED').map((r) => r.executionId)).toEqual(['second']);
  });

  it('tells an older hub (no features) FAILED where it refused, with the same error', async () => {
    features = { cancel: false, output: false, resultAck: false };
    const m = manager();
    m.onCommand(cmd('docker', { verb: 'docker.ps', params: {} }));
    await flush();
    expect(results()).toMatchObject([{ executionId: 'docker', status: 'FAILED', error: 'verb docker.ps is not available on this agent' }]);
    expect(journal.get('docker')?.result?.status).toBe('REJECTED');
  });

  it('never runs an execution twice: a repeated COMMAND while it runs is ignored, once finished its result is sent again', async () => {
    const m = manager();
    m.onCommand(cmd('e1'));
    m.onCommand(cmd('e1'));
    await flush();
    expect(runs.started).toHaveLength(1);
    runs.release('e1');
    await m.whenIdle();
    m.onCommand(cmd('e1'));
    expect(runs.started).toHaveLength(1);
    expect(results('COMPLETED').map((r) => r.executionId)).toEqual(['e1', 'e1']);
  });

  it('after a crash reports an execution that was accepted but never finished as FAILED, and does not run it again', () => {
    journal.accept('interrupted');
    journal.close();
    journal = ExecutionJournal.open(dir, { retentionMs: 86_400_000 });
    const m = manager();
    m.onEstablished();
    expect(results()).toMatchObject([{ executionId: 'interrupted', status: 'FAILED', error: RESTARTED_DURING_EXECUTION }]);
    m.onCommand(cmd('interrupted'));
    expect(runs.started).toEqual([]);
  });

  it('records the process group of a running execution; after a crash it stops that group and says so in the FAILED result', async () => {
    manager().onCommand(cmd('crashed'));
    await flush();
    expect(journal.get('crashed')?.group).toEqual({ pgid: 1, startTime: '4242', bootId: 'boot-1' });
    journal.close();
    journal = ExecutionJournal.open(dir, { retentionMs: 86_400_000 });
    const m = manager();
    expect(orphansStopped).toEqual([{ pgid: 1, startTime: '4242', bootId: 'boot-1' }]);
    m.onEstablished();
    expect(results('FAILED')).toMatchObject([
      { executionId: 'crashed', status: 'FAILED', error: `${RESTARTED_DURING_EXECUTION} (its process group was still running and was stopped)` },
    ]);
    // Finished now: the next start has nothing to stop.
    journal.close();
    journal = ExecutionJournal.open(dir, { retentionMs: 86_400_000 });
    manager();
    expect(orphansStopped).toHaveLength(1);
  });

  it('after a crash whose process group is gone (or its id reused) reports the plain restart', async () => {
    manager().onCommand(cmd('ended'));
    await flush();
    journal.close();
    journal = ExecutionJournal.open(dir, { retentionMs: 86_400_000 });
    orphanState = 'reused';
    manager().onEstablished();
    expect(results('FAILED')).toMatchObject([{ executionId: 'ended', status: 'FAILED', error: RESTARTED_DURING_EXECUTION }]);
  });

  it('keeps a final RESULT until RESULT_ACK and sends it after every reconnect until then', async () => {
    const m = manager();
    connected = false;
    m.onCommand(cmd('e1'));
    await flush();
    runs.release('e1');
    await m.whenIdle();
    expect(results()).toEqual([]);
    connected = true;
    m.onEstablished();
    m.onEstablished();
    expect(results('COMPLETED')).toHaveLength(2);
    m.onResultAck('e1');
    m.onEstablished();
    expect(results('COMPLETED')).toHaveLength(2);
  });

  it('with a hub that does not acknowledge (no "result-ack"), a sent RESULT counts as delivered', async () => {
    features = { cancel: false, output: false, resultAck: false };
    const m = manager();
    m.onCommand(cmd('e1'));
    await flush();
    runs.release('e1');
    await m.whenIdle();
    m.onEstablished();
    expect(results('COMPLETED')).toHaveLength(1);
  });

  it('with "output" the RESULT keeps the tail and the totals; without, the full inline output as before', async () => {
    const m = manager();
    m.onCommand(cmd('streamed'));
    await flush();
    runs.release('streamed');
    await m.whenIdle();
    features = { cancel: false, output: false, resultAck: false };
    m.onCommand(cmd('inline'));
    await flush();
    runs.release('inline', done({ truncated: false }));
    await m.whenIdle();
    const [streamed, inline] = results('COMPLETED');
    expect(streamed).toMatchObject({ stdout: 'tail\n', truncated: true, outputBytes: { stdout: 12, stderr: 0 } });
    expect(inline).toMatchObject({ stdout: 'full output\n', truncated: false });
  });

  it('streams what the process writes as OUTPUT only when the session uses "output"', async () => {
    const m = manager();
    m.onCommand(cmd('e1'));
    await flush();
    runs.started[0]!.opts!.onOutput!('stdout', Buffer.from('hello\n'));
    runs.release('e1');
    await m.whenIdle();
    features = { cancel: true, output: false, resultAck: true };
    m.onCommand(cmd('e2'));
    await flush();
    runs.started[1]!.opts!.onOutput!('stdout', Buffer.from('not streamed\n'));
    runs.release('e2');
    await m.whenIdle();
    const outputs = sent.filter((b): b is OutputBody => b.type === 'OUTPUT');
    expect(outputs).toEqual([{ type: 'OUTPUT', executionId: 'e1', stream: 'stdout', seq: 0, offset: 0, data: Buffer.from('hello\n').toString('base64') }]);
    // The last OUTPUT goes before the RESULT.
    expect(sent.findIndex((b) => b.type === 'OUTPUT')).toBeLessThan(sent.findIndex((b) => b.type === 'RESULT' && b.status === 'COMPLETED'));
  });

  it('keeps the OUTPUT made while disconnected and sends it, in order, once the next session is established', async () => {
    const m = manager();
    m.onCommand(cmd('e1'));
    await flush();
    connected = false;
    runs.started[0]!.opts!.onOutput!('stdout', Buffer.from('while away\n'));
    runs.release('e1');
    await m.whenIdle();
    expect(sent.filter((b) => b.type === 'OUTPUT')).toEqual([]);
    connected = true;
    m.onEstablished();
    const outputs = sent.filter((b): b is OutputBody => b.type === 'OUTPUT');
    expect(outputs).toEqual([{ type: 'OUTPUT', executionId: 'e1', stream: 'stdout', seq: 0, offset: 0, data: Buffer.from('while away\n').toString('base64') }]);
    expect(results('COMPLETED').map((r) => r.executionId)).toEqual(['e1']);
  });

  it('CANCEL: a queued execution ends CANCELLED at once, a running one is stopped with the grace given, an unknown one is ignored', async () => {
    const m = manager({ maxConcurrent: 1 });
    m.onCommand(cmd('running'));
    m.onCommand(cmd('queued'));
    await flush();
    m.onCancel({ v: 1, id: 'c1', ts: new Date().toISOString(), type: 'CANCEL', executionId: 'queued' });
    expect(stored('CANCELLED').map((r) => [r.executionId, r.error])).toEqual([['queued', 'cancelled before it started']]);
    m.onCancel({ v: 1, id: 'c2', ts: new Date().toISOString(), type: 'CANCEL', executionId: 'running', graceMs: 250 });
    expect(runs.started[0]!.opts!.cancel!.reason).toEqual({ graceMs: 250 });
    await m.whenIdle();
    expect(
      stored('CANCELLED')
        .map((r) => r.executionId)
        .sort(),
    ).toEqual(['queued', 'running']);
    m.onCancel({ v: 1, id: 'c3', ts: new Date().toISOString(), type: 'CANCEL', executionId: 'running' });
    m.onCancel({ v: 1, id: 'c4', ts: new Date().toISOString(), type: 'CANCEL', executionId: 'never-seen' });
    expect(stored('CANCELLED')).toHaveLength(2);
    expect(runs.started.map((s) => s.id)).toEqual(['running']);
  });

  it('runs system.info in-process: RUNNING, then the JSON document as stdout', async () => {
    const m = manager();
    m.onCommand(cmd('info', { verb: 'system.info', params: {} }));
    await m.whenIdle();
    await flush();
    expect(runs.started).toEqual([]);
    expect(results().map((r) => r.status)).toEqual(['RUNNING', 'COMPLETED']);
    expect(JSON.parse(results('COMPLETED')[0]!.stdout!)).toEqual({ hostname: 'h' });
  });

  it('stopping reports queued executions as not run', async () => {
    const m = manager({ maxConcurrent: 1 });
    m.onCommand(cmd('running'));
    m.onCommand(cmd('waiting'));
    await flush();
    m.stop();
    expect(results('FAILED')).toMatchObject([{ executionId: 'waiting', error: 'the agent stopped before it ran' }]);
  });
});
