import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { CommandFrame } from '@fleetplane/contracts';
import { CommandExecutor, type RunProcess } from './command-executor.js';
import type { ResultBody } from './fit-result.js';

const cmd = (verb: string, params: Record<string, unknown>): CommandFrame => ({
  v: 1,
  id: 'f1',
  ts: new Date().toISOString(),
  type: 'COMMAND',
  executionId: 'exec-1',
  commandId: 'cmd-1',
  verb,
  params,
  timeoutSeconds: 7,
  trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
});

function setup(run?: RunProcess) {
  const sent: ResultBody[] = [];
  const runs: Array<{ argv: string[]; timeout: number }> = [];
  const fakeRun: RunProcess =
    run ??
    ((spec, timeout, opts) => {
      runs.push({ argv: spec.argv, timeout });
      opts?.onSpawn?.();
      return Promise.resolve({ status: 'COMPLETED', exitCode: 0, stdout: 'ok\n', stderr: '', truncated: false });
    });
  const executor = new CommandExecutor((r) => sent.push(r), ['exec', 'system.info'], pino({ level: 'silent' }), fakeRun, {});
  return { executor, sent, runs };
}

describe(CommandExecutor.name, () => {
  it('runs the verb as an argv with the command timeout and reports RUNNING then the outcome', async () => {
    const { executor, sent, runs } = setup();
    await executor.execute(cmd('exec', { argv: ['echo', 'hello'] }));
    expect(runs).toEqual([{ argv: ['echo', 'hello'], timeout: 7 }]);
    expect(sent.map((r) => r.status)).toEqual(['RUNNING', 'COMPLETED']);
    expect(sent[1]).toMatchObject({ type: 'RESULT', executionId: 'exec-1', exitCode: 0, stdout: 'ok\n' });
  });

  it('refuses invalid params without running anything, naming the field', async () => {
    const { executor, sent, runs } = setup();
    await executor.execute(cmd('exec', { argv: 'rm -rf /' }));
    expect(runs).toEqual([]);
    expect(sent).toMatchObject([{ status: 'FAILED' }]);
    expect(sent[0]?.error).toMatch(/^params\.argv: /);
  });

  it('refuses a verb this agent cannot run', async () => {
    const { executor, sent, runs } = setup();
    await executor.execute(cmd('docker.ps', {}));
    expect(runs).toEqual([]);
    expect(sent).toMatchObject([{ status: 'FAILED', error: 'verb docker.ps is not available on this agent' }]);
  });

  it('runs an execution once even when its COMMAND arrives twice (a retried dispatch)', async () => {
    const { executor, runs } = setup();
    await executor.execute(cmd('exec', { argv: ['touch', '/tmp/x'] }));
    await executor.execute(cmd('exec', { argv: ['touch', '/tmp/x'] }));
    expect(runs).toHaveLength(1);
  });

  it('builds system.info from the contract (uname -a)', async () => {
    const { executor, runs } = setup();
    await executor.execute(cmd('system.info', {}));
    expect(runs[0]?.argv).toEqual(['uname', '-a']);
  });
});
