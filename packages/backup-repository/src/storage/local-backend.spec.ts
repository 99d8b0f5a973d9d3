import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { backendConformance } from './backend-conformance.testing.js';
import { LocalBackend } from './local-backend.js';
import { MemoryBackend } from './memory-backend.js';

// Property runs, scrypt and zstd over a few MiB: seconds on a quiet machine, more on a loaded one.
vi.setConfig({ testTimeout: 60_000 });

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function freshDirectory(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'fleetplane-backup-local-'));
  roots.push(root);
  return root;
}

backendConformance('local filesystem', async () => new LocalBackend(await freshDirectory()));
backendConformance('in-memory (the unit tests’ fake)', () => new MemoryBackend());

it('leaves no temporary files behind and refuses keys that could escape the root', async () => {
  const root = await freshDirectory();
  const backend = new LocalBackend(root);
  await backend.put('packs/aa/x', Buffer.from('x'));
  expect(await readdir(join(root, 'packs', 'aa'))).toEqual(['x']);
  await expect(backend.put('../escape', Buffer.from('x'))).rejects.toThrow(/invalid object key/);
  await expect(backend.get('packs/../../etc/passwd')).rejects.toThrow(/invalid object key/);
});
