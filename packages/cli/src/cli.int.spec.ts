import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfra, type Infra } from '@fleetplane/test-harness';
import { GatewayClient, GatewayError, startFleet, type Fleet } from '@fleetplane/devstack';

// The built CLI as its own process against the whole system (gateway, command, agent-hub,
// a reference agent) on real NATS, Redis and PostgreSQL.
const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/fleetplane.js');
const admin = { email: 'admin@cli.test', password: 'correct horse battery staple' };
const AGENT = 'cli-agent';
// Short-lived access tokens, so the later commands only work if the CLI refreshes them.
const ACCESS_TOKEN_TTL_SECONDS = 3;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('fleetplane CLI against the real system', () => {
  let infra: Infra;
  let fleet: Fleet;
  let dir: string;
  let config: string;

  /** Runs bin/fleetplane.js without a shell; stdout and stderr apart; `stdin` written then closed. */
  function cli(args: string[], stdin = ''): Promise<CliRun> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        shell: false,
        env: { PATH: process.env.PATH ?? '', HOME: dir, FLEETPLANE_CONFIG: config },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolvePromise({ code, stdout, stderr });
      });
      child.stdin.end(stdin);
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fleetplane-cli-int-'));
    config = join(dir, 'config', 'credentials.json');
    infra = await startInfra();
    fleet = await startFleet({
      infra,
      admin,
      jwtSecret: 'cli-int-secret-that-is-long-enough-0123456789',
      env: { ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS) },
    });
    const gateway = new GatewayClient(fleet.gatewayUrl);
    await gateway.login(admin.email, admin.password);
    const { token } = await gateway.enrollAgent(AGENT, 'int');
    await fleet.startAgent({ id: AGENT, token });
    // GatewayClient does not refresh; with 3 s tokens it logs in again when its token ran out.
    for (const deadline = Date.now() + 20_000; ; await sleep(100)) {
      const agent = await gateway.getAgent(AGENT).catch(async (err: unknown) => {
        if (err instanceof GatewayError && err.status === 401) await gateway.login(admin.email, admin.password);
        else throw err;
      });
      if (agent?.connected) break;
      if (Date.now() > deadline) throw new Error(`${AGENT} did not connect`);
    }
  });

  afterAll(async () => {
    await fleet?.stop();
    await infra?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong password with exit 1 and writes no credentials', async () => {
    const r = await cli(['login', '--url', fleet.gatewayUrl, '--email', admin.email, '--password-stdin'], 'not the password\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^fleetplane: login failed: /);
    expect(existsSync(config)).toBe(false);
  });

  it('says "not logged in" before login', async () => {
    const r = await cli(['agents', 'list']);
    expect(r).toMatchObject({ code: 1, stderr: 'fleetplane: not logged in: run fleetplane login\n' });
  });

  it('logs in with --password-stdin and stores the tokens in a 0600 file, printing none of them', async () => {
    const r = await cli(['login', '--url', fleet.gatewayUrl, '--email', admin.email, '--password-stdin'], `${admin.password}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(config)).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(config, 'utf8')) as { url: string; accessToken: string; refreshToken: string };
    expect(stored.url).toBe(fleet.gatewayUrl);
    expect(r.stdout + r.stderr).not.toContain(stored.accessToken);
    expect(r.stdout + r.stderr).not.toContain(stored.refreshToken);
  });

  it('lists the agent as connected with --json', async () => {
    const r = await cli(['agents', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const agents = JSON.parse(r.stdout) as { id: string; connected: boolean }[];
    expect(agents.find((a) => a.id === AGENT)).toMatchObject({ connected: true });
  });

  it('runs echo hello on the agent: prints hello and exits 0', async () => {
    const r = await cli(['run', AGENT, '--', 'echo', 'hello']);
    expect(r).toEqual({ code: 0, stdout: 'hello\n', stderr: '' });
  });

  it('exits with the remote exit code', async () => {
    const r = await cli(['run', AGENT, '--', 'sh', '-c', 'exit 3']);
    expect(r.code).toBe(3);
  });

  it("passes a failing program's stderr through and exits non-zero", async () => {
    const r = await cli(['run', AGENT, '--', 'ls', '/nope']);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/nope/);
  });

  it("names an unknown agent with the gateway's 404 and exits 1", async () => {
    const r = await cli(['run', 'no-such-agent', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^fleetplane: not found \(404\): .*no-such-agent/);
  });

  it('names the field of a 400 and exits 1', async () => {
    const r = await cli(['exec', 'exec', '--params', '{"argv":"echo hello"}', AGENT]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^fleetplane: bad request \(400\): field params\.argv/);
  });

  it('lists the audit log filtered, and exports the same entries as CSV and NDJSON on stdout', async () => {
    // The wrong-password attempt at the top is a failed auth.login; the runs are command.submit successes.
    const failed = await cli(['audit', 'list', '--outcome', 'failed', '--action', 'auth.login', '--json']);
    expect(failed.code, failed.stderr).toBe(0);
    const entries = JSON.parse(failed.stdout) as { id: string; action: string; outcome: string; target: string }[];
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.action === 'auth.login' && e.outcome === 'failed')).toBe(true);
    const csv = await cli(['audit', 'export', '--format', 'csv', '--outcome', 'failed', '--action', 'auth.login']);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toBe('id,at,actor,actorType,action,target,outcome,ip,traceId,details');
    expect(lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual(entries.map((e) => e.id));
    const ndjson = await cli(['audit', 'export', '--format', 'ndjson', '--resource-type', 'command', '--from', new Date(Date.now() - 3_600_000).toISOString()]);
    expect(ndjson.code, ndjson.stderr).toBe(0);
    const submitted = ndjson.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(submitted.length).toBeGreaterThan(0);
    expect(submitted.every((e) => e.action.startsWith('command.'))).toBe(true);
    const bad = await cli(['audit', 'list', '--from', 'yesterday']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^fleetplane: bad request \(400\): field from/);
  });

  it('refreshes an expired access token by itself and saves the rotated pair (still 0600)', async () => {
    const before = JSON.parse(readFileSync(config, 'utf8')) as { accessToken: string; refreshToken: string };
    // Earlier commands may have refreshed already: wait past the stored access token's own expiry
    // (its JWT `exp`, plus a second of clock granularity).
    const { exp } = JSON.parse(Buffer.from(before.accessToken.split('.')[1]!, 'base64url').toString()) as { exp: number };
    const untilExpired = (exp + 1) * 1000 - Date.now();
    if (untilExpired > 0) await sleep(untilExpired);
    const r = await cli(['commands', 'list', '--agent', AGENT, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { verb: string }[]).length).toBeGreaterThan(0);
    const after = JSON.parse(readFileSync(config, 'utf8')) as { refreshToken: string };
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(statSync(config).mode & 0o777).toBe(0o600);
  });

  it('logs out: the refresh token is revoked and the file deleted', async () => {
    const { refreshToken } = JSON.parse(readFileSync(config, 'utf8')) as { refreshToken: string };
    expect((await cli(['logout'])).code).toBe(0);
    expect(existsSync(config)).toBe(false);
    const reuse = await fetch(`${fleet.gatewayUrl}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    expect(reuse.status).toBe(401);
    expect((await cli(['agents', 'list'])).stderr).toMatch(/not logged in/);
  });
});
