import { describe, expect, it } from 'vitest';
import type { CommandPriority } from '@fleetplane/contracts';
import { LocalQueue } from './local-queue.js';

const item = (id: string, priority: CommandPriority) => ({ id, priority });

describe(LocalQueue.name, () => {
  it('hands out CRITICAL before HIGH before NORMAL before LOW, FIFO within one', () => {
    const q = new LocalQueue(10);
    for (const [id, p] of [
      ['low-1', 'LOW'],
      ['normal-1', 'NORMAL'],
      ['critical-1', 'CRITICAL'],
      ['normal-2', 'NORMAL'],
      ['high-1', 'HIGH'],
      ['critical-2', 'CRITICAL'],
    ] as const)
      q.push(item(id, p));
    const order: string[] = [];
    for (let next = q.shift(); next; next = q.shift()) order.push(next.id);
    expect(order).toEqual(['critical-1', 'critical-2', 'high-1', 'normal-1', 'normal-2', 'low-1']);
    expect(q.size).toBe(0);
  });

  it('refuses beyond its capacity, and takes again once one left', () => {
    const q = new LocalQueue(2);
    expect(q.push(item('a', 'LOW'))).toBe(true);
    expect(q.push(item('b', 'LOW'))).toBe(true);
    expect(q.push(item('c', 'CRITICAL'))).toBe(false);
    expect(q.size).toBe(2);
    q.shift();
    expect(q.push(item('c', 'CRITICAL'))).toBe(true);
    expect(q.shift()?.id).toBe('c');
  });

  it('removes a queued item by id, and says when there is none', () => {
    const q = new LocalQueue(5);
    q.push(item('a', 'NORMAL'));
    q.push(item('b', 'NORMAL'));
    expect(q.remove('a')?.id).toBe('a');
    expect(q.remove('a')).toBeUndefined();
    expect(q.has('b')).toBe(true);
    expect(q.size).toBe(1);
    expect(q.drain().map((i) => i.id)).toEqual(['b']);
    expect(q.size).toBe(0);
  });
});
