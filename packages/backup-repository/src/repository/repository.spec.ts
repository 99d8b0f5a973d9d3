import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { LocalKms } from '../crypto/master-key.js';
import { IntegrityError, RepositoryConfigError } from '../errors.js';
import { MemoryBackend } from '../storage/memory-backend.js';
import { Repository, type InitOptions } from './repository.js';

// Property runs, scrypt and zstd over a few MiB: seconds on a quiet machine, more on a loaded one.
vi.setConfig({ testTimeout: 60_000 });

// Small chunks so a few hundred KiB make dozens of chunks and several packs.
const small = { chunker: { minSize: 1024, avgSize: 4096, maxSize: 16384 }, packTargetSize: 32 * 1024 };
const passphrase = { passphrase: 'correct horse battery staple' };

function* once(data: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < data.length; at += 10_000) yield data.subarray(at, at + 10_000);
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

/** Compressible, varied data: text-like rows with random numbers. */
function rows(count: number, seed = 1): Buffer {
  let x = seed;
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    lines.push(`${i}\tagent-${x % 9973}\t${x}\tstatus=${x % 7 === 0 ? 'offline' : 'online'}\n`);
  }
  return Buffer.from(lines.join(''));
}

async function backup(repo: Repository, type: 'FULL' | 'INCREMENTAL' | 'DIFFERENTIAL' | 'SNAPSHOT', sources: Record<string, Buffer>, parent?: string) {
  const writer = await repo.startBackup({ type, parent });
  for (const [name, data] of Object.entries(sources)) await writer.addSource({ name, kind: 'bytes' }, once(data));
  return writer.commit();
}

async function keys(backend: MemoryBackend, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const { key } of backend.list(prefix)) found.push(key);
  return found.sort();
}

async function newRepo(options: Partial<InitOptions> = {}) {
  const backend = new MemoryBackend();
  const repo = await Repository.init(backend, { masterKey: passphrase, ...small, ...options });
  return { backend, repo };
}

describe('Repository round trip', () => {
  it('restores exactly what was backed up, for any bytes (property)', async () => {
    const { repo } = await newRepo();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 100_000 }), async (data) => {
        const manifest = await backup(repo, 'FULL', { db: Buffer.from(data) });
        expect((await collect(repo.restore(manifest, 'db'))).equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  for (const algorithm of ['none', 'gzip', 'brotli', 'zstd'] as const) {
    it(`round-trips with ${algorithm}, and stores incompressible chunks raw`, async () => {
      const { repo } = await newRepo({ compression: { algorithm } });
      const text = rows(5000);
      const noise = randomBytes(60_000);
      const manifest = await backup(repo, 'FULL', { text, noise });
      expect((await collect(repo.restore(manifest, 'text'))).equals(text)).toBe(true);
      expect((await collect(repo.restore(manifest, 'noise'))).equals(noise)).toBe(true);
      const index = await repo.loadIndex(true);
      const encodings = (name: string) => new Set(manifest.sources.find((s) => s.name === name)!.chunks.map((id) => index.get(id)!.entry.compression));
      expect(encodings('noise')).toEqual(new Set(['none']));
      expect(encodings('text')).toEqual(new Set([algorithm]));
      if (algorithm !== 'none') expect(manifest.stats.bytesStored).toBeLessThan(text.length / 2 + noise.length * 1.1);
    });
  }

  it('works with AES-256-CBC + HMAC-SHA-256 (encrypt-then-MAC), and refuses unauthenticated modes', async () => {
    const { repo, backend } = await newRepo({ cipher: 'aes-256-cbc-hmac-sha256' });
    const data = rows(3000);
    const manifest = await backup(repo, 'FULL', { db: data });
    const reopened = await Repository.open(backend, passphrase);
    expect((await collect(reopened.restore(manifest, 'db'))).equals(data)).toBe(true);
    await expect(newRepo({ cipher: 'aes-256-cbc' as never })).rejects.toThrow(/unauthenticated modes are refused/);
    await expect(newRepo({ cipher: 'aes-256-ctr' as never })).rejects.toThrow(RepositoryConfigError);
  });

  it('refuses bad settings naming what is wrong', async () => {
    await expect(newRepo({ compression: { algorithm: 'zstd', level: 40 } })).rejects.toThrow(/level for zstd/);
    await expect(newRepo({ compression: { algorithm: 'lz4' as never } })).rejects.toThrow(/lz4/);
    await expect(newRepo({ chunker: { minSize: 10, avgSize: 4096, maxSize: 16384 } })).rejects.toThrow(/minSize/);
  });
});

describe('backup types', () => {
  it('FULL stores every chunk; INCREMENTAL only what changed since its parent; DIFFERENTIAL since its FULL; SNAPSHOT what the repository lacks', async () => {
    const { repo } = await newRepo();
    const v1 = rows(20_000, 1);
    // v2: one region rewritten; v3: another region rewritten on top of v2.
    const v2 = Buffer.concat([v1.subarray(0, 200_000), rows(300, 2), v1.subarray(210_000)]);
    const v3 = Buffer.concat([v2.subarray(0, 500_000), rows(300, 3), v2.subarray(510_000)]);

    const full = await backup(repo, 'FULL', { db: v1 });
    expect(full.stats.newBytes).toBe(v1.length);
    expect(full.dependsOn).toEqual([]);

    const inc1 = await backup(repo, 'INCREMENTAL', { db: v2 }, full.id);
    const inc2 = await backup(repo, 'INCREMENTAL', { db: v3 }, inc1.id);
    const diff = await backup(repo, 'DIFFERENTIAL', { db: v3 }, full.id);
    // Each change touches a few chunks: the incrementals store little.
    expect(inc1.stats.newBytes).toBeLessThan(v1.length * 0.1);
    expect(inc2.stats.newBytes).toBeLessThan(v1.length * 0.1);
    expect(inc2.dependsOn).toEqual([full.id, inc1.id].sort());
    // The differential holds both changes relative to the FULL; it depends on the FULL alone.
    expect(diff.stats.newBytes).toBeGreaterThan(inc2.stats.newBytes);
    expect(diff.dependsOn).toEqual([full.id]);

    // A second FULL of unchanged data still writes everything: FULLs share nothing.
    const full2 = await backup(repo, 'FULL', { db: v3 });
    expect(full2.stats.newBytes).toBe(v3.length);
    // A SNAPSHOT of unchanged data writes nothing new; it depends on whoever holds its chunks.
    const snap = await backup(repo, 'SNAPSHOT', { db: v3, other: v1 });
    expect(snap.stats.newChunks).toBe(0);
    expect(snap.dependsOn.length).toBeGreaterThan(0);

    for (const [manifest, expected] of [
      [full, v1],
      [inc1, v2],
      [inc2, v3],
      [diff, v3],
      [full2, v3],
    ] as const) {
      expect((await collect(repo.restore(manifest, 'db'))).equals(expected)).toBe(true);
    }
    expect((await collect(repo.restore(snap, 'other'))).equals(v1)).toBe(true);
  });

  it('refuses an INCREMENTAL without a parent, a FULL with one, a DIFFERENTIAL relative to a non-FULL', async () => {
    const { repo } = await newRepo();
    const full = await backup(repo, 'FULL', { db: rows(100) });
    const inc = await backup(repo, 'INCREMENTAL', { db: rows(100) }, full.id);
    await expect(repo.startBackup({ type: 'INCREMENTAL' })).rejects.toThrow(/needs a parent/);
    await expect(repo.startBackup({ type: 'FULL', parent: full.id })).rejects.toThrow(/takes no parent/);
    await expect(repo.startBackup({ type: 'DIFFERENTIAL', parent: inc.id })).rejects.toThrow(/relative to a FULL/);
  });

  it('an aborted backup leaves nothing visible: no manifest, no pack, nothing a later SNAPSHOT dedups against; verify passes', async () => {
    const { backend, repo } = await newRepo();
    const full = await backup(repo, 'FULL', { db: rows(2000) });
    const packsBefore = await keys(backend, 'packs/');
    const controller = new AbortController();
    const writer = await repo.startBackup({ type: 'SNAPSHOT' });
    function* aborting(): Generator<Uint8Array> {
      const fresh = rows(20_000, 7);
      for (let at = 0; at < fresh.length; at += 10_000) {
        if (at >= fresh.length / 2) controller.abort(new Error('cancelled by test'));
        yield fresh.subarray(at, at + 10_000);
      }
    }
    await expect(writer.addSource({ name: 'db', kind: 'bytes' }, aborting(), controller.signal)).rejects.toThrow('cancelled by test');
    // Half the source was chunked and several packs were written before the abort.
    expect(writer.progress.newChunks).toBeGreaterThan(0);
    await writer.discard();
    expect(await repo.listBackups()).toEqual([full.id]);
    expect(await keys(backend, 'packs/')).toEqual(packsBefore);
    expect((await repo.verify({ readData: true })).errors).toEqual([]);
    // The next backup dedups only against committed chunks: the FULL's data stores nothing new.
    const snap = await backup(repo, 'SNAPSHOT', { db: rows(2000) });
    expect(snap.stats.newChunks).toBe(0);
    const again = await backup(repo, 'SNAPSHOT', { other: rows(20_000, 7) });
    expect((await collect(repo.restore(again, 'other'))).equals(rows(20_000, 7))).toBe(true);
    expect((await repo.verify({ readData: true })).errors).toEqual([]);
  });

  it('dedups shifted data: a copy with bytes inserted in front stores only a few chunks (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 1000 }), async (seed, shift) => {
        const { repo } = await newRepo();
        const data = rows(10_000, seed);
        const full = await backup(repo, 'FULL', { db: data });
        const shifted = Buffer.concat([randomBytes(shift), data]);
        const inc = await backup(repo, 'INCREMENTAL', { db: shifted }, full.id);
        expect(inc.stats.newBytes).toBeLessThan(3 * 16384 + shift);
        expect((await collect(repo.restore(inc, 'db'))).equals(shifted)).toBe(true);
      }),
      { numRuns: 8 },
    );
  });
});

describe('tamper detection', () => {
  async function repoWithBackup() {
    const { repo, backend } = await newRepo();
    const data = rows(8000);
    const manifest = await backup(repo, 'FULL', { db: data });
    return { repo, backend, manifest, data };
  }

  function flipByte(backend: MemoryBackend, prefix: string, at: (length: number) => number) {
    const key = [...backend.objects.keys()].find((k) => k.startsWith(prefix))!;
    const object = backend.objects.get(key)!;
    object[at(object.length)]! ^= 0x01;
    return key;
  }

  it('a flipped byte inside a blob: restore refuses, verify --read-data reports it', async () => {
    const { repo, backend, manifest } = await repoWithBackup();
    const index = await repo.loadIndex();
    const first = index.get(manifest.sources[0]!.chunks[0]!)!;
    backend.objects.get(`packs/${first.pack.slice(0, 2)}/${first.pack}`)![first.entry.offset + 20]! ^= 0x80;
    await expect(collect(repo.restore(manifest, 'db'))).rejects.toThrow(IntegrityError);
    expect((await repo.verify()).errors).toEqual([]); // structure alone cannot see it
    const report = await repo.verify({ readData: true });
    expect(report.errors.some((e) => e.includes('does not match its checksum'))).toBe(true);
  });

  it('a flipped byte in a manifest, an index file, the config or the keyring is detected', async () => {
    for (const prefix of ['manifests/', 'index/', 'config', 'keys/keyring']) {
      const { repo, backend, manifest } = await repoWithBackup();
      flipByte(backend, prefix, (n) => (prefix === 'keys/keyring' ? n - 10 : Math.floor(n / 2)));
      const failure = (async () => {
        const reopened = await Repository.open(backend, passphrase);
        const report = await reopened.verify({ readData: true });
        if (report.errors.length > 0) throw new IntegrityError(report.errors.join('; '));
        await collect(reopened.restore(await reopened.readManifest(manifest.id), 'db'));
      })();
      await expect(failure, prefix).rejects.toThrow();
      void repo;
    }
  });

  it('a blob moved to another chunk id does not open (the id is bound into the ciphertext)', async () => {
    const { repo, manifest } = await repoWithBackup();
    const index = await repo.loadIndex();
    const [a, b] = manifest.sources[0]!.chunks;
    const locationB = index.get(b!)!;
    // Point a's index entry at b's blob, as an attacker editing an index would.
    (index as unknown as { locations: Map<string, unknown> }).locations.set(a!, locationB);
    await expect(collect(repo.restore(manifest, 'db'))).rejects.toThrow(/authentication failed/);
  });
});

describe('keys', () => {
  it('rotating the master key rewraps the keys: the old passphrase stops working, all data stays readable', async () => {
    const { repo, backend } = await newRepo();
    const data = rows(3000);
    const manifest = await backup(repo, 'FULL', { db: data });
    const packsBefore = [...backend.objects.keys()].filter((k) => k.startsWith('packs/'));
    await repo.rotateMasterKey({ passphrase: 'a new passphrase' });
    await expect(Repository.open(backend, passphrase)).rejects.toThrow(/wrong master key or passphrase/);
    const reopened = await Repository.open(backend, { passphrase: 'a new passphrase' });
    expect((await collect(reopened.restore(manifest, 'db'))).equals(data)).toBe(true);
    expect([...backend.objects.keys()].filter((k) => k.startsWith('packs/'))).toEqual(packsBefore);
  });

  it('a new data key seals new writes; older backups still read; chunk ids (and so dedup) do not change', async () => {
    const { repo, backend } = await newRepo();
    const data = rows(3000);
    const first = await backup(repo, 'FULL', { db: data });
    expect(await repo.startNewDataKey()).toBe(2);
    const second = await backup(repo, 'FULL', { db: data });
    expect(second.sources[0]!.chunks).toEqual(first.sources[0]!.chunks);
    const reopened = await Repository.open(backend, passphrase);
    expect(reopened.keyring.dataKeyNumbers).toEqual([1, 2]);
    for (const m of [first, second]) expect((await collect(reopened.restore(m, 'db'))).equals(data)).toBe(true);
    const newPack = backend.objects.get(`packs/${second.packs[0]!.slice(0, 2)}/${second.packs[0]}`)!;
    expect(newPack.readUInt16BE(8)).toBe(2); // the first blob after the magic names data key 2
  });

  it('raw 32-byte master keys and a (local) KMS key work; a different raw key is named as wrong', async () => {
    const key = randomBytes(32);
    const { backend } = await newRepo({ masterKey: { key } });
    await expect(Repository.open(backend, { key })).resolves.toBeInstanceOf(Repository);
    await expect(Repository.open(backend, { key: randomBytes(32) })).rejects.toThrow(/does not match this repository/);
    const kms = new LocalKms(new Map([['backup-master', randomBytes(32)]]));
    const viaKms = await newRepo({ masterKey: { kms, keyId: 'backup-master' } });
    await expect(Repository.open(viaKms.backend, { kms, keyId: 'backup-master' })).resolves.toBeInstanceOf(Repository);
  });
});
