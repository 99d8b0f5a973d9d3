import { mkdtempSync, statSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialStore, credentialsPath } from './credentials.js';

const creds = { url: 'http://127.0.0.1:4000', accessToken: 'a.b.c', refreshToken: 'r1' };

describe(CredentialStore.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fp-cli-creds-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses FLEETPLANE_CONFIG, else ~/.config/fleetplane/credentials.json', () => {
    expect(credentialsPath({ FLEETPLANE_CONFIG: '/x/c.json' }, '/home/op')).toBe('/x/c.json');
    expect(credentialsPath({}, '/home/op')).toBe('/home/op/.config/fleetplane/credentials.json');
  });

  it('writes the file with mode 0600 inside a directory it creates with 0700, and reads it back', async () => {
    const path = join(dir, 'nested', 'fleetplane', 'credentials.json');
    const store = new CredentialStore(path);
    await store.save(creds);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'nested', 'fleetplane')).mode & 0o777).toBe(0o700);
    expect(await store.load()).toEqual(creds);
  });

  it('tightens an existing file that was readable by others when it rewrites it', async () => {
    const path = join(dir, 'credentials.json');
    writeFileSync(path, '{}', { mode: 0o644 });
    await new CredentialStore(path).save(creds);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('has nothing to load before login, and rejects a file that is not credentials', async () => {
    const path = join(dir, 'credentials.json');
    expect(await new CredentialStore(path).load()).toBeUndefined();
    writeFileSync(path, '{"url":"x"}');
    await expect(new CredentialStore(path).load()).rejects.toThrow(/run fleetplane login/);
  });

  it('removes the file on logout', async () => {
    const store = new CredentialStore(join(dir, 'credentials.json'));
    await store.save(creds);
    expect(await store.remove()).toBe(true);
    expect(existsSync(store.path)).toBe(false);
    expect(await store.remove()).toBe(false);
  });
});
