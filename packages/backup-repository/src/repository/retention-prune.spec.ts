import { describe, expect, it, vi } from 'vitest';
import { MemoryBackend } from '../storage/memory-backend.js';
import { Repository } from './repository.js';
import { applyRetention, type RetentionCandidate } from './retention.js';

// Property runs, scrypt and zstd over a few MiB: seconds on a quiet machine, more on a loaded one.
vi.setConfig({ testTimeout: 60_000 });

const at = (iso: string, id = iso, dependsOn: string[] = []): RetentionCandidate => ({ id, startedAt: iso, dependsOn });

describe('applyRetention', () => {
  it('keeps the newest per period, like restic forget --keep-*', () => {
    const backups = [
      at('2026-11-30T23:00:00Z'),
      at('2026-11-30T10:00:00Z'),
      at('2026-11-29T10:00:00Z'),
      at('2026-11-28T10:00:00Z'),
      at('2026-10-15T10:00:00Z'),
      at('2025-06-01T10:00:00Z'),
    ];
    const { keep, remove } = applyRetention(backups, { keepLast: 1, keepDaily: 2, keepMonthly: 2, keepYearly: 2 });
    expect([...keep.keys()].sort()).toEqual(['2025-06-01T10:00:00Z', '2026-10-15T10:00:00Z', '2026-11-29T10:00:00Z', '2026-11-30T23:00:00Z']);
    expect(keep.get('2026-11-30T23:00:00Z')).toEqual(['last', 'daily 2026-11-30', 'monthly 2026-11', 'yearly 2026']);
    expect(remove.sort()).toEqual(['2026-11-28T10:00:00Z', '2026-11-30T10:00:00Z']);
  });

  it('weekly uses ISO weeks; hourly buckets hours', () => {
    const backups = [at('2026-11-30T10:30:00Z'), at('2026-11-30T10:10:00Z'), at('2026-11-29T10:00:00Z'), at('2026-11-23T10:00:00Z')];
    // Mon 30 Nov is W49; Sun 29 and Mon 23 Nov are W48.
    expect([...applyRetention(backups, { keepWeekly: 2 }).keep.keys()]).toEqual(['2026-11-30T10:30:00Z', '2026-11-29T10:00:00Z']);
    expect([...applyRetention(backups, { keepHourly: 2 }).keep.keys()]).toEqual(['2026-11-30T10:30:00Z', '2026-11-29T10:00:00Z']);
  });

  it('never removes a backup a kept one depends on, transitively', () => {
    const backups = [at('2026-11-01T00:00:00Z', 'full'), at('2026-11-02T00:00:00Z', 'inc1', ['full']), at('2026-11-03T00:00:00Z', 'inc2', ['full', 'inc1'])];
    const { keep, remove } = applyRetention(backups, { keepLast: 1 });
    expect(remove).toEqual([]);
    expect(keep.get('full')).toEqual(['needed by inc2', 'needed by inc1']);
    expect(keep.get('inc1')).toEqual(['needed by inc2']);
  });

  it('an empty policy removes nothing', () => {
    expect(applyRetention([at('2026-11-01T00:00:00Z')], {}).remove).toEqual([]);
  });
});

describe('forget + prune', () => {
  function* data(buffer: Buffer) {
    yield buffer;
  }
  const text = (seed: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => `${seed}:${i}:${(i * 2654435761) % 1000003}\n`).join(''));

  it('removes unreferenced chunks, repacks partly used packs, and leaves every kept backup restorable', async () => {
    const backend = new MemoryBackend();
    const repo = await Repository.init(backend, {
      masterKey: { passphrase: 'prune' },
      chunker: { minSize: 1024, avgSize: 4096, maxSize: 16384 },
      packTargetSize: 64 * 1024,
    });
    const take = async (type: 'FULL' | 'INCREMENTAL', content: Buffer, parent?: string) => {
      const w = await repo.startBackup({ type, parent });
      await w.addSource({ name: 'db', kind: 'bytes' }, data(content));
      return w.commit();
    };
    const a = text(1, 20_000);
    const b = Buffer.concat([a.subarray(0, 100_000), text(2, 2000), a.subarray(100_000)]);
    const full1 = await take('FULL', a);
    const full2 = await take('FULL', b);
    const inc = await take('INCREMENTAL', Buffer.concat([b, text(3, 500)]), full2.id);

    const decision = applyRetention(await Promise.all((await repo.listBackups()).map((id) => repo.readManifest(id))), { keepLast: 1 });
    expect(decision.remove).toEqual([full1.id]);
    const bytesBefore = [...backend.objects.values()].reduce((s, o) => s + o.length, 0);
    await repo.forget(decision.remove);
    const report = await repo.prune();
    expect(report.packsDeleted).toBeGreaterThan(0);
    const bytesAfter = [...backend.objects.values()].reduce((s, o) => s + o.length, 0);
    expect(bytesAfter).toBeLessThan(bytesBefore * 0.75);

    const reopened = await Repository.open(backend, { passphrase: 'prune' });
    expect((await reopened.verify({ readData: true })).errors).toEqual([]);
    for (const [m, expected] of [
      [full2, b],
      [inc, Buffer.concat([b, text(3, 500)])],
    ] as const) {
      const parts: Buffer[] = [];
      for await (const p of reopened.restore(await reopened.readManifest(m.id), 'db')) parts.push(p);
      expect(Buffer.concat(parts).equals(expected)).toBe(true);
    }
    // A second prune finds nothing to do.
    expect(await reopened.prune()).toMatchObject({ packsDeleted: 0, packsRepacked: 0, blobsRemoved: 0 });
  });

  it('repacks a pack that holds live and dead chunks', async () => {
    const backend = new MemoryBackend();
    // One big pack per backup: forgetting one source's backup leaves a pack half dead.
    const repo = await Repository.init(backend, {
      masterKey: { passphrase: 'p' },
      chunker: { minSize: 1024, avgSize: 4096, maxSize: 16384 },
      packTargetSize: 1 << 24,
    });
    const keep = text(5, 5000);
    const drop = text(6, 5000);
    const w1 = await repo.startBackup({ type: 'FULL' });
    await w1.addSource({ name: 'keep', kind: 'bytes' }, data(keep));
    await w1.addSource({ name: 'drop', kind: 'bytes' }, data(drop));
    const both = await w1.commit();
    const snapshot = await repo.startBackup({ type: 'SNAPSHOT' });
    await snapshot.addSource({ name: 'keep', kind: 'bytes' }, data(keep));
    const snap = await snapshot.commit();
    expect(snap.stats.newChunks).toBe(0);
    // Forget the FULL despite the dependency (an explicit forget, not retention): prune must keep what the SNAPSHOT uses.
    await repo.forget([both.id]);
    const report = await repo.prune();
    expect(report.packsRepacked).toBe(1);
    expect(report.blobsRemoved).toBeGreaterThan(0);
    const parts: Buffer[] = [];
    for await (const p of repo.restore(snap, 'keep')) parts.push(p);
    expect(Buffer.concat(parts).equals(keep)).toBe(true);
    expect((await repo.verify({ readData: true })).errors).toEqual([]);
  });
});
