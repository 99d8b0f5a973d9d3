import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeFetch } from '../test/fakes.js';
import { cliIn } from '../test/run-cli.js';

const apiKey = { FLEETPLANE_URL: 'http://gw:4000', FLEETPLANE_API_KEY: 'fp_k_secret' };
const user = (over: Record<string, unknown> = {}) => ({
  id: '0b8f7a52-0000-4000-8000-000000000001',
  email: 'op@example.com',
  role: 'operator',
  createdAt: '2026-12-01T09:00:00.000Z',
  disabledAt: null,
  lastLoginAt: null,
  ...over,
});

describe('fleetplane users', () => {
  let dir: string;
  let cli: ReturnType<typeof cliIn>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fp-cli-users-'));
    cli = cliIn(dir, apiKey);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('create reads the password from stdin, never from argv, and prints the user', async () => {
    const fetch = fakeFetch(() => ({ status: 201, body: user() }));
    const r = await cli(['users', 'create', 'op@example.com', '--role', 'operator', '--password-stdin'], { fetch, stdin: 'a long enough password\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(fetch.requests[0]).toMatchObject({
      method: 'POST',
      path: '/users',
      body: { email: 'op@example.com', password: 'a long enough password', role: 'operator' },
    });
    expect(r.stdout).toMatch(/^role:\s+operator$/m);
    expect(r.stdout).not.toContain('a long enough password');
    // Without a terminal there is nobody to prompt.
    expect((await cli(['users', 'create', 'x@example.com', '--role', 'viewer'], { fetch })).stderr).toMatch(/--password-stdin/);
    expect((await cli(['users', 'create', 'x@example.com'], { fetch })).code).toBe(255);
  });

  it('create asks for the password twice with echo off when there is a terminal, and refuses two that differ', async () => {
    const fetch = fakeFetch(() => ({ status: 201, body: user() }));
    const r = await cli(['users', 'create', 'op@example.com', '--role', 'operator'], { fetch, typed: ['typed password 1', 'typed password 1'] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('Password for the new user: \nRepeat it: \n');
    // Echo off while each password is typed, back on after.
    expect(r.rawModes).toEqual([true, false, true, false]);
    expect(fetch.requests[0]!.body).toMatchObject({ password: 'typed password 1' });
    const differ = await cli(['users', 'create', 'op@example.com', '--role', 'operator'], { fetch, typed: ['one password', 'another one'] });
    expect({ code: differ.code, stdout: differ.stdout }).toEqual({ code: 255, stdout: '' });
    expect(differ.stderr).toMatch(/fleetplane: the two passwords differ\n$/);
    expect(fetch.requests).toHaveLength(1);
  });

  it('set-password asks for the current and the new password (twice) with echo off', async () => {
    const fetch = fakeFetch(() => ({ status: 204 }));
    const r = await cli(['users', 'set-password'], { fetch, typed: ['old one', 'new password 123', 'new password 123'] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Current password: \nNew password: \nRepeat it: \npassword changed/);
    expect(fetch.requests[0]!.body).toEqual({ currentPassword: 'old one', newPassword: 'new password 123' });
  });

  it('update, disable and enable PATCH the user; an email is looked up first', async () => {
    const fetch = fakeFetch((req) =>
      req.method === 'GET' ? { status: 200, body: { users: [user()] } } : { status: 200, body: user(req.body as Record<string, unknown>) },
    );
    expect((await cli(['users', 'update', user().id, '--role', 'admin'], { fetch })).code).toBe(0);
    expect(fetch.requests.at(-1)).toMatchObject({ method: 'PATCH', path: `/users/${user().id}`, body: { role: 'admin' } });
    await cli(['users', 'disable', 'OP@example.com'], { fetch });
    expect(fetch.requests.at(-2)).toMatchObject({ method: 'GET', path: '/users' });
    expect(fetch.requests.at(-1)).toMatchObject({ method: 'PATCH', path: `/users/${user().id}`, body: { disabled: true } });
    const enabled = await cli(['users', 'enable', user().id, '--output', 'json'], { fetch });
    expect(fetch.requests.at(-1)!.body).toEqual({ disabled: false });
    expect(JSON.parse(enabled.stdout)).toMatchObject({ id: user().id });
    expect((await cli(['users', 'update', user().id], { fetch })).stderr).toMatch(/nothing to change/);
    expect((await cli(['users', 'disable', 'ghost@example.com'], { fetch })).stderr).toBe('fleetplane: no user with email ghost@example.com\n');
  });

  it('delete and end-sessions send DELETE; a 409 for the last admin is one line with the trace id', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const fetch = fakeFetch((req) =>
      req.path.endsWith('/last-admin')
        ? { status: 409, body: { statusCode: 409, error: 'Conflict', message: 'cannot delete the last enabled admin', traceId } }
        : { status: 204 },
    );
    expect(await cli(['users', 'delete', 'u1'], { fetch })).toEqual({ code: 0, stdout: '', stderr: 'deleted user u1\n' });
    expect(await cli(['users', 'end-sessions', 'u1'], { fetch })).toEqual({ code: 0, stdout: '', stderr: 'ended every session of user u1\n' });
    expect(fetch.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /users/u1', 'DELETE /users/u1/sessions']);
    expect(await cli(['users', 'delete', 'last-admin'], { fetch })).toEqual({
      code: 255,
      stdout: '',
      stderr: `fleetplane: conflict (409): cannot delete the last enabled admin (trace ${traceId})\n`,
    });
  });

  it('set-password takes the current and the new password from two stdin lines', async () => {
    const fetch = fakeFetch(() => ({ status: 204 }));
    const r = await cli(['users', 'set-password', '--password-stdin'], { fetch, stdin: 'old password\nnew password 123\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(fetch.requests[0]).toMatchObject({
      method: 'POST',
      path: '/users/me/password',
      body: { currentPassword: 'old password', newPassword: 'new password 123' },
    });
    expect((await cli(['users', 'set-password', '--password-stdin'], { fetch, stdin: 'only one\n' })).stderr).toMatch(/the current and the new password/);
    expect(fetch.requests).toHaveLength(1);
  });

  it('lists users as a table, JSON or YAML', async () => {
    const fetch = fakeFetch(() => ({ status: 200, body: { users: [user({ lastLoginAt: '2026-12-01T10:00:00.000Z' })] } }));
    expect((await cli(['users', 'list'], { fetch })).stdout).toMatch(
      /^ID\s+EMAIL\s+ROLE\s+DISABLED\s+LAST LOGIN\s+CREATED\n.*op@example\.com\s+operator\s+-\s+2026-12-01T10:00/,
    );
    expect((await cli(['users', 'list', '-o', 'yaml'], { fetch })).stdout).toContain('- id: 0b8f7a52-0000-4000-8000-000000000001\n  email: op@example.com\n');
  });
});
