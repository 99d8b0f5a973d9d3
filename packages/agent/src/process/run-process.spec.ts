import { describe, expect, it } from 'vitest';
import { runProcess } from './run-process.js';

describe(runProcess.name, () => {
  it('runs echo and reports COMPLETED with its stdout', async () => {
    let spawned = false;
    const r = await runProcess({ argv: ['echo', 'hello'] }, 5, { onSpawn: () => (spawned = true) });
    expect(r).toEqual({
      status: 'COMPLETED',
      exitCode: 0,
      stdout: 'hello\n',
      stderr: '',
      truncated: false,
      tail: { stdout: 'hello\n', stderr: '', truncated: false },
      outputBytes: { stdout: 6, stderr: 0 },
    });
    expect(spawned).toBe(true);
  });

  it('reports a non-zero exit as FAILED with the exit code and stderr', async () => {
    const r = await runProcess({ argv: ['ls', '/definitely/not/here'] }, 5);
    expect(r.status).toBe('FAILED');
    expect(r.exitCode).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/definitely/);
  });

  it('reports a missing binary as FAILED with an error and never as RUNNING', async () => {
    let spawned = false;
    const r = await runProcess({ argv: ['fleetplane-no-such-binary-here'] }, 5, { onSpawn: () => (spawned = true) });
    expect(r.status).toBe('FAILED');
    expect(r.exitCode).toBeUndefined();
    expect(r.error).toMatch(/fleetplane-no-such-binary-here.*ENOENT/);
    expect(spawned).toBe(false);
  });

  it('kills the whole process group at the timeout and reports TIMED_OUT', async () => {
    // A child that ignores SIGTERM and a grandchild: SIGKILL to the group must stop both.
    const script = 'trap "" TERM; sleep 30 & echo started; wait';
    const r = await runProcess({ argv: ['sh', '-c', script] }, 1, { killGraceMs: 200 });
    expect(r.status).toBe('TIMED_OUT');
    expect(r.stdout).toBe('started\n');
    expect(r.error).toMatch(/after 1 s/);
  });

  it('stops the process group when aborted (agent shutting down) and says why', async () => {
    const ac = new AbortController();
    const running = runProcess({ argv: ['sh', '-c', 'sleep 30 & wait'] }, 60, { onSpawn: () => ac.abort(), killGraceMs: 200, signal: ac.signal });
    const r = await running;
    expect(r.status).toBe('FAILED');
    expect(r.error).toMatch(/cancelled/);
  });

  it('cuts stdout and stderr to the limit and says so', async () => {
    const r = await runProcess({ argv: ['head', '-c', '5000', '/dev/zero'] }, 5, { maxOutputBytes: 1_000 });
    expect(r.status).toBe('COMPLETED');
    expect(r.stdout).toHaveLength(1_000);
    expect(r.truncated).toBe(true);
  });

  it('passes an argument with shell metacharacters literally: no shell is involved', async () => {
    const arg = 'a; echo injected && $(id) `id` | cat > /tmp/x';
    const r = await runProcess({ argv: ['echo', arg] }, 5);
    expect(r.stdout).toBe(`${arg}\n`);
  });

  it('uses cwd and adds env on top of the base environment', async () => {
    const r = await runProcess({ argv: ['sh', '-c', 'pwd; echo "$GREETING $KEPT"'], cwd: '/tmp', env: { GREETING: 'hi' } }, 5, {
      baseEnv: { PATH: process.env.PATH, KEPT: 'base' },
    });
    expect(r.stdout).toBe('/tmp\nhi base\n');
  });

  it('does not leak a variable absent from the base environment to the child', async () => {
    const r = await runProcess({ argv: ['sh', '-c', 'echo "[$AGENT_TOKEN]"'] }, 5, { baseEnv: { PATH: process.env.PATH } });
    expect(r.stdout).toBe('[]\n');
  });
});
