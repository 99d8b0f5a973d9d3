import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialPath, readCredentialFile, writeCredentialFile, type StoredCredential } from './credential-file.js';

const CREDENTIAL: StoredCredential = {
  agentId: 'web-1',
  credential: 'c'.repeat(43),
  site: 'par',
  labels: { role: 'web' },
  enrolledAt: '2026-01-01T00:00:00.000Z',
};

describe('credential file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-state-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is written with mode 0600 and read back whole', async () => {
    const path = await writeCredentialFile(dir, CREDENTIAL);
    expect(path).toBe(credentialPath(dir));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readCredentialFile(dir)).toEqual(CREDENTIAL);
  });

  it('creates a missing state directory readable by the agent alone', async () => {
    const nested = join(dir, 'a', 'b');
    await writeCredentialFile(nested, CREDENTIAL);
    expect((await stat(nested)).mode & 0o777).toBe(0o700);
    expect((await readCredentialFile(nested))?.agentId).toBe('web-1');
  });

  it('replaces an older file atomically, leaving no temporary file behind', async () => {
    await writeCredentialFile(dir, CREDENTIAL);
    await writeCredentialFile(dir, { ...CREDENTIAL, credential: 'd'.repeat(43) });
    expect(await readdir(dir)).toEqual(['credential.json']);
    expect((await readCredentialFile(dir))?.credential).toBe('d'.repeat(43));
    expect((await stat(credentialPath(dir))).mode & 0o777).toBe(0o600);
  });

  it('reads as none when absent, and refuses a file that is not a credential', async () => {
    expect(await readCredentialFile(dir)).toBeNull();
    await writeFile(credentialPath(dir), 'not json');
    await expect(readCredentialFile(dir)).rejects.toThrow('is not JSON; remove it to enrol again');
    await writeFile(credentialPath(dir), JSON.stringify({ agentId: 'a.b', credential: 'x' }));
    await expect(readCredentialFile(dir)).rejects.toThrow('is not a credential file');
    expect(await readFile(credentialPath(dir), 'utf8')).toContain('a.b');
  });
});
