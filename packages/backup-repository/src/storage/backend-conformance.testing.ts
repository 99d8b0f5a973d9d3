import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors.js';
import { Repository } from '../repository/repository.js';
import type { StorageBackend } from './storage-backend.js';

/**
 * The one suite every storage backend passes: the StorageBackend contract, then a whole repository
 * (init, FULL + INCREMENTAL, restore, verify with --read-data) on top of it. Each backend's spec calls
 * this with a factory giving a fresh, empty backend on its real server (or directory).
 */
export function backendConformance(name: string, fresh: () => StorageBackend | Promise<StorageBackend>): void {
  describe(`${name} storage backend conformance`, () => {
    it('puts, gets whole objects and byte ranges, and overwrites', async () => {
      const backend = await fresh();
      const data = randomBytes(100_000);
      await backend.put('packs/ab/abc', data);
      expect((await backend.get('packs/ab/abc')).equals(data)).toBe(true);
      expect((await backend.get('packs/ab/abc', { offset: 1000, length: 5000 })).equals(data.subarray(1000, 6000))).toBe(true);
      await backend.put('packs/ab/abc', Buffer.from('replaced'));
      expect((await backend.get('packs/ab/abc')).toString()).toBe('replaced');
      await backend.put('empty', Buffer.alloc(0));
      expect((await backend.get('empty')).length).toBe(0);
    });

    it('tells a missing object (NotFoundError, has() false) from a present one', async () => {
      const backend = await fresh();
      await expect(backend.get('manifests/nope')).rejects.toBeInstanceOf(NotFoundError);
      expect(await backend.has('manifests/nope')).toBe(false);
      await backend.put('manifests/yes', Buffer.from('x'));
      expect(await backend.has('manifests/yes')).toBe(true);
    });

    it('lists by prefix with sizes, and deletes idempotently', async () => {
      const backend = await fresh();
      await backend.put('packs/00/a', Buffer.alloc(3));
      await backend.put('packs/01/b', Buffer.alloc(5));
      await backend.put('index/c', Buffer.alloc(7));
      const list = async (prefix: string) => {
        const out: Array<{ key: string; size: number }> = [];
        for await (const entry of backend.list(prefix)) out.push(entry);
        return out.sort((x, y) => x.key.localeCompare(y.key));
      };
      expect(await list('packs/')).toEqual([
        { key: 'packs/00/a', size: 3 },
        { key: 'packs/01/b', size: 5 },
      ]);
      expect(await list('index/')).toEqual([{ key: 'index/c', size: 7 }]);
      expect(await list('nothing/')).toEqual([]);
      await backend.delete('packs/00/a');
      await backend.delete('packs/00/a');
      expect(await list('packs/')).toEqual([{ key: 'packs/01/b', size: 5 }]);
    });

    it('stores a large object (24 MiB, past single-request upload sizes)', async () => {
      const backend = await fresh();
      const data = randomBytes(24 * 1024 * 1024);
      await backend.put('packs/ff/large', data);
      expect((await backend.get('packs/ff/large')).equals(data)).toBe(true);
    });

    it('holds a repository: FULL, INCREMENTAL, DIFFERENTIAL and SNAPSHOT restore, verify --read-data is clean, a flipped byte is found', async () => {
      const backend = await fresh();
      const repo = await Repository.init(backend, {
        masterKey: { passphrase: 'conformance' },
        chunker: { minSize: 4096, avgSize: 16384, maxSize: 65536 },
        packTargetSize: 128 * 1024,
      });
      const v1 = Buffer.concat([randomBytes(200_000), Buffer.alloc(300_000, 'row\n')]);
      const v2 = Buffer.concat([v1.subarray(0, 100_000), randomBytes(1000), v1.subarray(100_000)]);
      const v3 = Buffer.concat([v2, randomBytes(2000)]);
      const other = randomBytes(50_000);
      const write = async (type: 'FULL' | 'INCREMENTAL' | 'DIFFERENTIAL' | 'SNAPSHOT', sources: Record<string, Buffer>, parent?: string) => {
        const writer = await repo.startBackup({ type, ...(parent ? { parent } : {}) });
        for (const [name, data] of Object.entries(sources)) await writer.addSource({ name, kind: 'bytes' }, [data]);
        return writer.commit();
      };
      const full = await write('FULL', { db: v1 });
      const inc = await write('INCREMENTAL', { db: v2 }, full.id);
      expect(inc.stats.newBytes).toBeLessThan(v2.length / 2);
      const diff = await write('DIFFERENTIAL', { db: v3 }, full.id);
      expect(diff.stats.newBytes).toBeLessThan(v3.length / 2);
      const snapshot = await write('SNAPSHOT', { db: v3, other });
      const reopened = await Repository.open(backend, { passphrase: 'conformance' });
      for (const [manifest, source, data] of [
        [full, 'db', v1],
        [inc, 'db', v2],
        [diff, 'db', v3],
        [snapshot, 'db', v3],
        [snapshot, 'other', other],
      ] as const) {
        const parts: Buffer[] = [];
        for await (const part of reopened.restore(await reopened.readManifest(manifest.id), source)) parts.push(part);
        expect(Buffer.concat(parts).equals(data), `${manifest.type} ${source}`).toBe(true);
      }
      expect((await reopened.verify({ readData: true })).errors).toEqual([]);
      const packKey = `packs/${inc.packs[0]!.slice(0, 2)}/${inc.packs[0]}`;
      const pack = await backend.get(packKey);
      pack[pack.length - 100]! ^= 0xff;
      await backend.put(packKey, pack);
      const report = await reopened.verify({ readData: true });
      expect(report.errors.join('\n')).toContain(inc.packs[0]);
    });
  });
}
