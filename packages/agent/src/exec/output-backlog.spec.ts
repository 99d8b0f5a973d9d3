import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutputBacklog } from './output-backlog.js';
import type { OutputBody } from './session-link.js';

const piece = (executionId: string, offset: number, data = 'QUJD'): OutputBody => ({
  type: 'OUTPUT',
  executionId,
  stream: 'stdout',
  seq: offset,
  offset,
  data,
});

describe(OutputBacklog.name, () => {
  let connected = true;
  const sent: OutputBody[] = [];
  const send = (b: OutputBody) => connected && sent.push(b) > 0;
  afterEach(() => {
    vi.useRealTimers();
    sent.length = 0;
    connected = true;
  });

  it('sends at once while a session takes it, keeps pieces in order while none does, and replays them paced after resume', () => {
    vi.useFakeTimers();
    const b = new OutputBacklog(send, { maxBytes: 1_000, framesPerTick: 2, tickMs: 100 });
    b.offer(piece('e1', 0));
    expect(sent).toHaveLength(1);
    connected = false;
    for (let i = 1; i <= 5; i++) b.offer(piece('e1', i));
    expect([b.size, b.bytes]).toEqual([5, 20]);
    connected = true;
    // A live piece made after the session came back waits behind the older ones.
    b.offer(piece('e1', 6));
    expect(sent).toHaveLength(1);
    b.resume();
    expect(sent.map((p) => p.offset)).toEqual([0, 1, 2]);
    vi.advanceTimersByTime(100);
    expect(sent.map((p) => p.offset)).toEqual([0, 1, 2, 3, 4]);
    vi.advanceTimersByTime(200);
    expect(sent.map((p) => p.offset)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([b.size, b.bytes]).toEqual([0, 0]);
    // Drained: the next piece goes straight out again.
    b.offer(piece('e1', 7));
    expect(sent.at(-1)?.offset).toBe(7);
  });

  it('stops draining when the session goes again and resumes with the next one, losing nothing', () => {
    vi.useFakeTimers();
    const b = new OutputBacklog(send, { maxBytes: 1_000, framesPerTick: 1, tickMs: 100 });
    connected = false;
    for (let i = 0; i < 3; i++) b.offer(piece('e1', i));
    connected = true;
    b.resume();
    connected = false;
    vi.advanceTimersByTime(500);
    expect(sent.map((p) => p.offset)).toEqual([0]);
    connected = true;
    b.resume();
    vi.advanceTimersByTime(500);
    expect(sent.map((p) => p.offset)).toEqual([0, 1, 2]);
  });

  it('past its size drops new pieces, counts them and warns once per execution; clear forgets what waits', () => {
    const drops: string[] = [];
    const b = new OutputBacklog(send, { maxBytes: 8, onDrop: (id) => drops.push(id) });
    connected = false;
    b.offer(piece('e1', 0));
    b.offer(piece('e1', 1));
    b.offer(piece('e1', 2));
    b.offer(piece('e1', 3));
    b.offer(piece('e2', 0));
    expect([b.size, b.dropped, drops]).toEqual([2, 3, ['e1', 'e2']]);
    expect(b.clear()).toBe(2);
    expect([b.size, b.bytes]).toEqual([0, 0]);
  });
});
