import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeFetch } from '../test/fakes.js';
import { cliIn } from '../test/run-cli.js';

const env = { FLEETPLANE_URL: 'http://gw:4000', FLEETPLANE_API_KEY: 'fp_k_secret' };
const key = (over: Record<string, unknown> = {}) => ({
  id: '7d0c1a52-0000-4000-8000-000000000002',
  name: 'ci',
  prefix: 'abcd1234',
  role: 'viewer',
  userId: 'u1',
  scopes: ['agents:read'],
  createdAt: '2026-12-01T09:00:00.000Z',
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
  ...over,
});

describe('fleetplane api-keys', () => {
  let dir: string;
  let cli: ReturnType<typeof cliIn>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fp-cli-keys-'));
    cli = cliIn(dir, env);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('create sends role, scopes and expiry, and prints the key alone on stdout', async () => {
    const fetch = fakeFetch(() => ({ status: 201, body: { apiKey: key(), key: 'fp_abcd1234_s3cr3t' } }));
    const before = Date.now();
    const r = await cli(['api-keys', 'create', 'ci', '--role', 'viewer', '--scope', 'agents:read', '--scope', 'commands:read,audit:read', '--expires', '30d'], {
      fetch,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('fp_abcd1234_s3cr3t\n');
    expect(r.stderr).toMatch(/shown only once/);
    const body = fetch.requests[0]!.body as { expiresAt: string };
    expect(body).toMatchObject({ name: 'ci', role: 'viewer', scopes: ['agents:read', 'commands:read', 'audit:read'] });
    const days = (Date.parse(body.expiresAt) - before) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(30);
    expect(days).toBeLessThan(30.01);
    // Without --scope the gateway's default (every scope) applies: nothing is sent.
    await cli(['api-keys', 'create', 'all', '--role', 'admin', '--expires', '2099-01-01T00:00:00Z'], { fetch });
    expect(fetch.requests[1]!.body).toEqual({ name: 'all', role: 'admin', expiresAt: '2099-01-01T00:00:00.000Z' });
  });

  it('refuses an unknown scope, a past or malformed expiry and a missing role before calling the gateway (exit 255)', async () => {
    const fetch = fakeFetch(() => ({ status: 500 }));
    for (const args of [
      ['--role', 'viewer', '--scope', 'agents:delete'],
      ['--role', 'viewer', '--expires', '2001-01-01T00:00:00Z'],
      ['--role', 'viewer', '--expires', 'tomorrow'],
      ['--role', 'viewer', '--expires', '0d'],
      ['--role', 'root'],
      [],
    ]) {
      const r = await cli(['api-keys', 'create', 'k', ...args], { fetch });
      expect(r.code, args.join(' ')).toBe(255);
      expect(r.stderr, args.join(' ')).toMatch(/^fleetplane: /);
    }
    expect(fetch.requests).toHaveLength(0);
  });

  it('lists keys with scopes and expiry; revoke sends DELETE', async () => {
    const fetch = fakeFetch((req) =>
      req.method === 'DELETE' ? { status: 204 } : { status: 200, body: { apiKeys: [key({ expiresAt: '2027-01-01T00:00:00.000Z' })] } },
    );
    const table = await cli(['api-keys', 'list', '--wide'], { fetch });
    expect(table.stdout).toMatch(/^ID\s+NAME\s+PREFIX\s+ROLE\s+EXPIRES\s+LAST USED\s+REVOKED\s+SCOPES\n/);
    expect(table.stdout).toMatch(/ci\s+abcd1234\s+viewer\s+2027-01-01T00:00:00\.000Z\s+-\s+-\s+agents:read\n$/);
    expect(JSON.parse((await cli(['api-keys', 'list', '--json'], { fetch })).stdout)).toEqual([key({ expiresAt: '2027-01-01T00:00:00.000Z' })]);
    expect(await cli(['api-keys', 'revoke', key().id], { fetch })).toEqual({ code: 0, stdout: '', stderr: `revoked API key ${key().id}\n` });
    expect(fetch.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `/api-keys/${key().id}` });
  });
});
