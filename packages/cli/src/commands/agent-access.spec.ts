import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeFetch } from '../test/fakes.js';
import { cliIn } from '../test/run-cli.js';

const env = { FLEETPLANE_URL: 'http://gw:4000', FLEETPLANE_API_KEY: 'fp_k_secret' };
const token = (over: Record<string, unknown> = {}) => ({
  id: '7d0c1a52-0000-4000-8000-000000000009',
  prefix: 'fpe_0123456789ab',
  site: 'par',
  labels: { role: 'web' },
  uses: 1,
  maxUses: 5,
  allowReenroll: false,
  expiresAt: '2026-12-02T09:00:00.000Z',
  revokedAt: null,
  createdAt: '2026-12-01T09:00:00.000Z',
  createdBy: 'u1',
  lastUsedAt: '2026-12-01T09:05:00.000Z',
  lastAgentId: 'web-1',
  ...over,
});

describe('fleetplane enrollment-tokens and agents revoke|delete', () => {
  let dir: string;
  let cli: ReturnType<typeof cliIn>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fp-cli-enrol-'));
    cli = cliIn(dir, env);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('create sends site, labels, expiry, uses and re-enrolment, and prints the token alone on stdout', async () => {
    const fetch = fakeFetch(() => ({ status: 201, body: { enrollmentToken: token(), token: 'fpe_0123456789ab_s3cr3t' } }));
    const r = await cli(
      ['enrollment-tokens', 'create', '--site', 'par', '--label', 'role=web', '--expires', '2099-01-01T00:00:00Z', '--max-uses', '5', '--allow-reenroll'],
      {
        fetch,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('fpe_0123456789ab_s3cr3t\n');
    expect(r.stderr).toMatch(/shown only once/);
    expect(fetch.requests[0]).toMatchObject({
      method: 'POST',
      path: '/enrollment-tokens',
      body: { site: 'par', labels: { role: 'web' }, expiresAt: '2099-01-01T00:00:00.000Z', maxUses: 5, allowReenroll: true },
    });
    // Without options the gateway's defaults apply: nothing is sent.
    await cli(['enrollment-tokens', 'create'], { fetch });
    expect(fetch.requests[1]!.body).toEqual({});
  });

  it('refuses a bad --max-uses before calling the gateway', async () => {
    const fetch = fakeFetch(() => ({ status: 500 }));
    for (const n of ['0', '-1', '1.5', 'many']) expect((await cli(['enrollment-tokens', 'create', '--max-uses', n], { fetch })).code, n).toBe(255);
    expect(fetch.requests).toHaveLength(0);
  });

  it('lists tokens page after page; revoke sends DELETE', async () => {
    const fetch = fakeFetch((req) => {
      if (req.method === 'DELETE') return { status: 204 };
      return req.path.includes('pageToken=p2')
        ? {
            status: 200,
            body: { enrollmentTokens: [token({ id: '7d0c1a52-0000-4000-8000-000000000010', revokedAt: '2026-12-01T10:00:00.000Z' })], nextPageToken: null },
          }
        : { status: 200, body: { enrollmentTokens: [token()], nextPageToken: 'p2' } };
    });
    const table = await cli(['enrollment-tokens', 'list', '--wide'], { fetch });
    expect(table.stdout).toMatch(/^ID\s+PREFIX\s+SITE\s+USES\s+EXPIRES\s+REVOKED\s+REENROLL\s+LAST AGENT\s+CREATED BY\n/);
    expect(table.stdout).toMatch(/fpe_0123456789ab\s+par\s+1\/5\s+2026-12-02T09:00:00\.000Z\s+-\s+no\s+web-1\s+u1\n/);
    expect(table.stdout.trim().split('\n')).toHaveLength(3);
    const listed = JSON.parse((await cli(['enrollment-tokens', 'list', '--json'], { fetch })).stdout) as unknown[];
    expect(listed).toHaveLength(2);
    const id = token().id;
    expect(await cli(['enrollment-tokens', 'revoke', id], { fetch })).toEqual({ code: 0, stdout: '', stderr: `revoked enrollment token ${id}\n` });
    expect(fetch.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `/enrollment-tokens/${id}` });
  });

  it('agents revoke posts to /agents/{id}/revoke and agents delete sends DELETE /agents/{id}', async () => {
    const fetch = fakeFetch(() => ({ status: 204 }));
    expect((await cli(['agents', 'revoke', 'web-1'], { fetch })).code).toBe(0);
    expect(fetch.requests.at(-1)).toMatchObject({ method: 'POST', path: '/agents/web-1/revoke' });
    const deleted = await cli(['agents', 'delete', 'web-1'], { fetch });
    expect(deleted).toEqual({ code: 0, stdout: '', stderr: 'deleted agent web-1\n' });
    expect(fetch.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/agents/web-1' });
  });

  it('names the gateway’s 404', async () => {
    const fetch = fakeFetch(() => ({ status: 404, body: { statusCode: 404, error: 'Not Found', message: 'agent ghost not found', traceId: 't' } }));
    const r = await cli(['agents', 'revoke', 'ghost'], { fetch });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('agent ghost not found');
  });
});
