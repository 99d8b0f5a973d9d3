import { describe, expect, it } from 'vitest';
import type { Command, Execution } from '../api/schemas.js';
import { command, execution } from '../test/fakes.js';
import { exitCodeFor, failureNote, prefixLines, waitForCommand } from './results.js';

describe('run results', () => {
  it('exits with the remote exit code for one target', () => {
    expect(exitCodeFor([execution()])).toBe(0);
    expect(exitCodeFor([execution({ state: 'FAILED', exitCode: 3 })])).toBe(3);
  });

  it('exits 255 (the reserved code) for a failure without an exit code (spawn error, timeout, skipped, expired, not connected)', () => {
    expect(exitCodeFor([execution({ state: 'FAILED', exitCode: null, error: 'spawn nope ENOENT' })])).toBe(255);
    for (const state of ['TIMED_OUT', 'CANCELLED', 'SKIPPED', 'EXPIRED'] as const) expect(exitCodeFor([execution({ state, exitCode: null })]), state).toBe(255);
    expect(exitCodeFor([execution({ state: 'FAILED', exitCode: 0 })])).toBe(255);
    expect(exitCodeFor([execution({ state: 'FAILED', exitCode: -1 })])).toBe(255);
    expect(exitCodeFor([])).toBe(255);
    // A remote 255 is passed on as it is: the one code that is ambiguous.
    expect(exitCodeFor([execution({ state: 'FAILED', exitCode: 255 })])).toBe(255);
  });

  it('exits, for several targets, with the first non-zero code in the order the targets were given (else the listed order)', () => {
    const two = (second: Execution['state'], code: number | null) => [
      execution({ agentId: 'a' }),
      execution({ id: 'e2', agentId: 'b', state: second, exitCode: code }),
    ];
    expect(exitCodeFor(two('COMPLETED', 0), ['a', 'b'])).toBe(0);
    expect(exitCodeFor(two('FAILED', 7), ['a', 'b'])).toBe(7);
    expect(exitCodeFor(two('TIMED_OUT', null), ['a', 'b'])).toBe(255);
    const both = [execution({ agentId: 'a', state: 'FAILED', exitCode: 3 }), execution({ id: 'e2', agentId: 'b', state: 'FAILED', exitCode: 4 })];
    expect(exitCodeFor(both, ['a', 'b'])).toBe(3);
    expect(exitCodeFor(both, ['b', 'a'])).toBe(4);
    // A selector: the gateway's order (by agent id).
    expect(exitCodeFor(both)).toBe(3);
  });

  it('says why an execution failed without an exit code, and nothing for one with its own', () => {
    expect(failureNote(execution({ state: 'FAILED', exitCode: null, error: 'agent agent-1 is not connected' }))).toBe(
      'fleetplane: execution FAILED: agent agent-1 is not connected\n',
    );
    expect(failureNote(execution({ state: 'SKIPPED', exitCode: null, reason: 'verb exec is not among the agent capabilities' }))).toBe(
      'fleetplane: execution SKIPPED: verb exec is not among the agent capabilities\n',
    );
    expect(failureNote(execution({ state: 'TIMED_OUT', exitCode: null }))).toBe('fleetplane: execution TIMED_OUT\n');
    expect(failureNote(execution({ state: 'FAILED', exitCode: 2 }))).toBeNull();
    expect(failureNote(execution())).toBeNull();
  });

  it('prefixes every line with [agent] when there are several targets', () => {
    expect(prefixLines('one\ntwo\n', '[a] ')).toBe('[a] one\n[a] two\n');
    expect(prefixLines('three', '[b] ')).toBe('[b] three\n');
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
    // The progress line sees every answer, the finished one too.
  });

  it('hands every answer to onPoll', async () => {
    const states: Command['state'][] = ['QUEUED', 'RUNNING', 'FAILED'];
    const seen: string[] = [];
    await waitForCommand(() => Promise.resolve(command({ state: states.shift()! })), 'c1', {
      timeoutMs: 60_000,
      sleep: () => Promise.resolve(),
      onPoll: (c) => seen.push(c.state),
    });
    expect(seen).toEqual(['QUEUED', 'RUNNING', 'FAILED']);
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
