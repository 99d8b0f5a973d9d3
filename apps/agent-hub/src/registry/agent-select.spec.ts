import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { byIdChunks, selectStream, type SelectPageReader } from './agent-select.js';
import type { SelectedRow } from './registry.repository.js';

const fleet = (n: number): SelectedRow[] =>
  Array.from({ length: n }, (_, i) => ({ id: `a-${String(i).padStart(6, '0')}`, site: 'par', capabilities: ['exec'], connected: i % 2 === 0 }));

/** Pages of `rows` after the cursor, recording each read. */
function reader(rows: SelectedRow[]) {
  const reads: Array<string | undefined> = [];
  const read: SelectPageReader = (_f, after, limit) => {
    reads.push(after);
    return Promise.resolve(rows.filter((r) => after === undefined || r.id > after).slice(0, limit));
  };
  return { read, reads };
}

/** A call whose writes are "full" until drain() is called. */
class FakeCall extends EventEmitter {
  writableNeedDrain = true;
  drain() {
    this.writableNeedDrain = false;
    this.emit('drain');
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe(selectStream.name, () => {
  it('streams every row once, in pages read from a keyset cursor', async () => {
    const { read, reads } = reader(fleet(2_500));
    const pages = await lastValueFrom(selectStream(read, {}, 1_000).pipe(toArray()));
    expect(pages.map((p) => p.agents.length)).toEqual([1_000, 1_000, 500]);
    expect(new Set(pages.flatMap((p) => p.agents.map((a) => a.id))).size).toBe(2_500);
    expect(reads).toEqual([undefined, 'a-000999', 'a-001999']);
  });

  it('ends after a full last page with one more read, and sends no empty message', async () => {
    const { read, reads } = reader(fleet(2_000));
    const pages = await lastValueFrom(selectStream(read, {}, 1_000).pipe(toArray()));
    expect(pages.map((p) => p.agents.length)).toEqual([1_000, 1_000]);
    expect(reads).toHaveLength(3);
    expect(await lastValueFrom(selectStream(reader([]).read, {}, 1_000).pipe(toArray()))).toEqual([]);
  });

  it('reads the next page only once the call has drained', async () => {
    const { read, reads } = reader(fleet(3_000));
    const call = new FakeCall();
    const seen: number[] = [];
    const done = new Promise<void>((complete) => selectStream(read, {}, 1_000, call).subscribe({ next: (p) => seen.push(p.agents.length), complete }));
    await tick();
    await tick();
    expect(seen).toEqual([1_000]);
    expect(reads).toEqual([undefined]);
    call.drain();
    await done;
    expect(seen).toEqual([1_000, 1_000, 1_000]);
    expect(reads).toEqual([undefined, 'a-000999', 'a-001999', 'a-002999']);
    for (const e of ['drain', 'close', 'cancelled']) expect(call.listenerCount(e)).toBe(0);
  });

  it('stops reading once the caller has gone', async () => {
    const { read, reads } = reader(fleet(5_000));
    const call = new FakeCall();
    expect((await firstValueFrom(selectStream(read, {}, 1_000, call))).agents).toHaveLength(1_000);
    call.emit('cancelled');
    await tick();
    expect(reads).toEqual([undefined]);
  });

  it('ends the stream with the error of a failed read', async () => {
    const failing: SelectPageReader = () => Promise.reject(new Error('database away'));
    await expect(lastValueFrom(selectStream(failing, {}, 1_000))).rejects.toThrow('database away');
  });
});

describe(byIdChunks.name, () => {
  it('asks for at most a page of ids per query, and fills pages across queries when ids do not match', async () => {
    const rows = fleet(5_000).filter((_, i) => i % 3 === 0); // only every third named id exists
    const asked: number[] = [];
    const read: SelectPageReader = (f, _after, limit) => {
      asked.push(f.agentIds!.length);
      expect(f.site).toBe('par');
      expect(limit).toBe(f.agentIds!.length);
      return Promise.resolve(rows.filter((r) => f.agentIds!.includes(r.id)));
    };
    const named = fleet(5_000)
      .map((r) => r.id)
      .reverse();
    const pages = await lastValueFrom(selectStream(byIdChunks([...named, named[0]!], read), { site: 'par' }, 1_000).pipe(toArray()));
    expect(Math.max(...asked)).toBeLessThanOrEqual(1_000);
    const ids = pages.flatMap((p) => p.agents.map((a) => a.id));
    expect(ids).toEqual(rows.map((r) => r.id));
    expect(pages.slice(0, -1).every((p) => p.agents.length === 1_000)).toBe(true);
  });
});
