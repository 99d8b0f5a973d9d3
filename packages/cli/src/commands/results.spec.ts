import { describe, expect, it } from 'vitest';
import type { Command, Execution } from '../api/schemas.js';
import { command, execution, MemoryWriter } from '../test/fakes.js';
import { exitCodeFor, prefixLines, printResults, waitForCommand } from './results.js';

describe('run results', () => {
  it('exits with the remote exit code for one target', () => {
    expect(exitCodeFor(command())).toBe(0);
    expect(exitCodeFor(command({ state: 'FAILED', executions: [execution({ state: 'FAILED', exitCode: 3 })] }))).toBe(3);
  });

  it('exits 255 (the reserved code) for a failure without an exit code (spawn error, timeout, not connected)', () => {
    expect(exitCodeFor(command({ executions: [execution({ state: 'FAILED', exitCode: null, error: 'spawn nope ENOENT' })] }))).toBe(255);
    expect(exitCodeFor(command({ executions: [execution({ state: 'TIMED_OUT', exitCode: null })] }))).toBe(255);
    expect(exitCodeFor(command({ executions: [execution({ state: 'FAILED', exitCode: 0 })] }))).toBe(255);
    expect(exitCodeFor(command({ executions: [execution({ state: 'FAILED', exitCode: -1 })] }))).toBe(255);
    expect(exitCodeFor(command({ executions: [] }))).toBe(255);
    // A remote 255 is passed on as it is: the one code that is ambiguous.
    expect(exitCodeFor(command({ executions: [execution({ state: 'FAILED', exitCode: 255 })] }))).toBe(255);
  });

  it('exits, for several targets, with the first non-zero code in the order the targets were given', () => {
    const two = (second: Execution['state'], code: number | null) =>
      command({ executions: [execution({ agentId: 'a' }), execution({ id: 'e2', agentId: 'b', state: second, exitCode: code })] });
    expect(exitCodeFor(two('COMPLETED', 0), ['a', 'b'])).toBe(0);
    expect(exitCodeFor(two('FAILED', 7), ['a', 'b'])).toBe(7);
    expect(exitCodeFor(two('TIMED_OUT', null), ['a', 'b'])).toBe(255);
    const both = command({
      executions: [execution({ agentId: 'a', state: 'FAILED', exitCode: 3 }), execution({ id: 'e2', agentId: 'b', state: 'FAILED', exitCode: 4 })],
    });
    expect(exitCodeFor(both, ['a', 'b'])).toBe(3);
    expect(exitCodeFor(both, ['b', 'a'])).toBe(4);
  });

  it('prints stdout and stderr unchanged for one target, with the reason of a failure', () => {
    const out = new MemoryWriter();
    const err = new MemoryWriter();
    printResults(
      command({ executions: [execution({ state: 'FAILED', exitCode: null, stdout: 'partial', stderr: 'oops\n', error: 'agent agent-1 is not connected' })] }),
      out,
      err,
    );
    expect(out.text).toBe('partial');
    expect(err.text).toBe('oops\nfleetplane: execution FAILED: agent agent-1 is not connected\n');
  });

  it('prefixes every line with [agent] when there are several targets', () => {
    const out = new MemoryWriter();
    const err = new MemoryWriter();
    printResults(
      command({
        executions: [
          execution({ agentId: 'a', stdout: 'one\ntwo\n' }),
          execution({ id: 'e2', agentId: 'b', stdout: 'three', stderr: 'warn\n', truncated: true }),
        ],
      }),
      out,
      err,
    );
    expect(out.text).toBe('[a] one\n[a] two\n[b] three\n');
    expect(err.text).toBe('[b] warn\n[b] fleetplane: output was truncated by the agent\n');
    expect(prefixLines('x', '')).toBe('x');
  });

  it('polls until the command finished', async () => {
    const states: Command['state'][] = ['QUEUED', 'RUNNING', 'COMPLETED'];
    const sleeps: number[] = [];
    const done = await waitForCommand(() => Promise.resolve(command({ state: states.shift()! })), 'c1', {
      timeoutMs: 60_000,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });
    expect(done.state).toBe('COMPLETED');
    expect(sleeps).toEqual([100, 150]);
  });

  it('gives up at the deadline naming the command and how to look at it later', async () => {
    let now = 0;
    const wait = waitForCommand(() => Promise.resolve(command({ state: 'RUNNING' })), 'c9', {
      timeoutMs: 5_000,
      now: () => now,
      sleep: (ms) => {
        now += ms;
        return Promise.resolve();
      },
    });
    await expect(wait).rejects.toThrow('command c9 is still RUNNING after 5 s: see fleetplane commands get c9');
  });
});
