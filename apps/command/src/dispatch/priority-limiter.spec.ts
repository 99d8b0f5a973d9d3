import { describe, expect, it } from 'vitest';
import { PriorityLimiter } from './priority-limiter.js';

/** A task that runs until released, recording when it started. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const done = new Promise<void>((r) => (open = r));
  return {
    task: async () => {
      log.push(name);
      await done;
      return name;
    },
    open,
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('PriorityLimiter', () => {
  it('runs at most `limit` tasks at once and starts the rest as slots free', async () => {
    const limiter = new PriorityLimiter(2);
    const log: string[] = [];
    const [a, b, c] = [gate(log, 'a'), gate(log, 'b'), gate(log, 'c')];
    const runs = [limiter.run(3, a.task), limiter.run(3, b.task), limiter.run(3, c.task)];
    await tick();
    expect(log).toEqual(['a', 'b']);
    expect(limiter.pending).toBe(1);
    a.open();
    await tick();
    expect(log).toEqual(['a', 'b', 'c']);
    b.open();
    c.open();
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'c']);
    expect(limiter.pending).toBe(0);
  });

  it('starts waiting tasks by priority (lower first), then in arrival order', async () => {
    const limiter = new PriorityLimiter(1);
    const log: string[] = [];
    const first = gate(log, 'running');
    const running = limiter.run(4, first.task);
    const note = (name: string) => () => Promise.resolve(void log.push(name));
    const waiting = [
      limiter.run(4, note('low-1')),
      limiter.run(3, note('normal-1')),
      limiter.run(1, note('critical')),
      limiter.run(3, note('normal-2')),
      limiter.run(4, note('low-2')),
    ];
    first.open();
    await Promise.all([running, ...waiting]);
    expect(log).toEqual(['running', 'critical', 'normal-1', 'normal-2', 'low-1', 'low-2']);
  });

  it('frees the slot of a task that throws', async () => {
    const limiter = new PriorityLimiter(1);
    await expect(limiter.run(3, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(3, () => Promise.resolve('next'))).toBe('next');
  });
});
