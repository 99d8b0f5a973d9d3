import { describe, expect, it } from 'vitest';
import { RecentFrames } from './recent-frames.js';

describe(RecentFrames.name, () => {
  it('recalls a frame by id and forgets the oldest beyond its count', () => {
    const r = new RecentFrames(2);
    r.remember('a', 'A');
    r.remember('b', 'B');
    r.remember('c', 'C');
    expect([r.recall('a'), r.recall('b'), r.recall('c')]).toEqual([undefined, 'B', 'C']);
  });

  it('forgets the oldest beyond its bytes, but always keeps the newest', () => {
    const r = new RecentFrames(100, 10);
    r.remember('a', 'x'.repeat(6));
    r.remember('b', 'y'.repeat(4));
    expect(r.recall('a')).toBe('x'.repeat(6));
    r.remember('c', 'z'.repeat(20));
    expect([r.recall('a'), r.recall('b'), r.recall('c')]).toEqual([undefined, undefined, 'z'.repeat(20)]);
    r.remember('d', 'd');
    expect([r.recall('c'), r.recall('d')]).toEqual([undefined, 'd']);
  });
});
