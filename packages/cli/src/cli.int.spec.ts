import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startInfra, type Infra } from '@fleetplane/test-harness';
import { GatewayClient, GatewayError, startFleet, type Fleet } from '@fleetplane/devstack';

// The built CLI as its own process against the whole system (gateway, command, agent-hub,
// a reference agent) on real NATS, Redis and PostgreSQL.
const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/fleetplane.js');
const PROGRAMS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../apps/tile-worker/programs');
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
  function cli(args: string[], stdin = '', env: Record<string, string> = {}): Promise<CliRun> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        shell: false,
        env: { PATH: process.env.PATH ?? '', HOME: dir, FLEETPLANE_CONFIG: config, XDG_CONFIG_HOME: join(dir, 'xdg'), ...env },
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

  it('refuses a wrong password with exit 255 and writes no credentials', async () => {
    const r = await cli(['login', '--url', fleet.gatewayUrl, '--email', admin.email, '--password-stdin'], 'not the password\n');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^fleetplane: login failed: /);
    expect(existsSync(config)).toBe(false);
  });

  it('says "not logged in" before login', async () => {
    const r = await cli(['agents', 'list']);
    expect(r).toMatchObject({ code: 255, stderr: 'fleetplane: not logged in: run fleetplane login\n' });
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

  it("names an unknown agent with the gateway's 404 and its trace id, and exits 255", async () => {
    const r = await cli(['run', 'no-such-agent', '--', 'true']);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^fleetplane: not found \(404\): .*no-such-agent.* \(trace [0-9a-f]{32}\)\n$/);
  });

  it('names the field of a 400 and exits 255', async () => {
    const r = await cli(['exec', 'exec', '--params', '{"argv":"echo hello"}', AGENT]);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^fleetplane: bad request \(400\): field params\.argv/);
  });

  it("passes a remote 255 on as it is; the CLI's own failures (usage, network) are 255 with a fleetplane: line", async () => {
    expect(await cli(['run', AGENT, '--', 'sh', '-c', 'exit 255'])).toEqual({ code: 255, stdout: '', stderr: '' });
    const usage = await cli(['run', AGENT]);
    expect(usage.code).toBe(255);
    expect(usage.stderr).toMatch(/^fleetplane: /);
    const unreachable = await cli(['agents', 'list'], '', { FLEETPLANE_API_KEY: 'fp_x_y', FLEETPLANE_URL: 'http://127.0.0.1:9' });
    expect(unreachable.code).toBe(255);
    expect(unreachable.stderr).toMatch(/^fleetplane: cannot reach the gateway at http:\/\/127\.0\.0\.1:9: /);
  });

  describe('fleet commands', () => {
    it('runs on the agents a selector matches, with rate limits: a progress line, a table per agent, exit 0 when all succeeded', async () => {
      const r = await cli([
        'run',
        '--site',
        'local',
        '--max-concurrency',
        '1',
        '--max-errors',
        '0',
        '--timeout',
        '30s',
        '--',
        'sh',
        '-c',
        'echo fleet; echo more',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^AGENT\s+STATE\s+EXIT\s+OUTPUT \/ ERROR$/);
      expect(lines.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${AGENT}\\s+COMPLETED\\s+0\\s+fleet$`))]);
      // Not a terminal: plain progress lines, the last one the finished command.
      expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^[\w-]+: 1\/1 done, 0 failed, 0 running, 0 waiting \[COMPLETED\]$/);
    });

    it('follows the command on the live stream while it waits: the gateway pushed its execution changes to the CLI', async () => {
      // An API key: this file's 3 s access tokens could expire under a stream before it saw anything.
      const key = await cli([
        'api-keys',
        'create',
        'cli-live',
        '--role',
        'operator',
        '--scope',
        'commands:read',
        '--scope',
        'commands:write',
        '--expires',
        '1d',
      ]);
      expect(key.code, key.stderr).toBe(0);
      const asKey = { FLEETPLANE_API_KEY: key.stdout.trimEnd(), FLEETPLANE_URL: fleet.gatewayUrl };
      // Nothing else in this file opens the stream, so what the gateway pushed went to this run.
      const metric = async (name: string) => {
        const text = await (await fetch(`http://127.0.0.1:${fleet.ports.gatewayMetrics}/metrics`)).text();
        return Number(new RegExp(`^fleetplane_gateway_${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(text)?.[1] ?? 0);
      };
      const before = await metric('stream_events_pushed_total');
      // The program finishes once the CLI's socket is on the stream, so its COMPLETED cannot come before the subscribe.
      const go = join(dir, 'live-go');
      const run = cli(['run', '--site', 'local', '--', 'sh', '-c', `while [ ! -e ${go} ]; do sleep 0.1; done; echo followed`], '', asKey);
      for (const deadline = Date.now() + 20_000; (await metric('stream_clients')) < 1; await sleep(100)) {
        if (Date.now() > deadline) throw new Error('the CLI never opened the live stream');
      }
      writeFileSync(go, '');
      const r = await run;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/COMPLETED\s+0\s+followed/);
      expect((await metric('stream_events_pushed_total')) - before).toBeGreaterThanOrEqual(1);
    });

    it("refuses a selector that matches no agent with the gateway's 400 naming targets", async () => {
      const r = await cli(['run', '--site', 'nowhere', '--', 'true']);
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/^fleetplane: bad request \(400\): field targets/);
    });

    it('lists, reads, retries and audits a failed command', async () => {
      const failed = await cli(['run', '--site', 'local', '-o', 'json', '--', 'sh', '-c', 'echo one; echo two >&2; exit 4']);
      expect(failed.code, failed.stderr).toBe(4);
      const { command, executions } = JSON.parse(failed.stdout) as { command: { id: string; state: string }; executions: { id: string; agentId: string }[] };
      expect(command.state).toBe('FAILED');
      expect(executions.map((e) => e.agentId)).toEqual([AGENT]);
      const eid = executions[0]!.id;

      const listed = await cli(['commands', 'executions', command.id, '--state', 'FAILED', '--exit-code', '4']);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(new RegExp(`^${eid}\\s+${AGENT}\\s+FAILED\\s+4\\s`, 'm'));
      expect((await cli(['commands', 'executions', command.id, '--state', 'COMPLETED'])).stdout).toBe('no executions\n');

      // `commands output` prints exactly the bytes stored for the execution (the stream of OUTPUT chunks), which begin with the inline summary.
      const [row] = JSON.parse((await cli(['commands', 'executions', command.id, '--json'])).stdout) as {
        stdout: string;
        stdoutBytes: number;
        stderrBytes: number;
      }[];
      expect(row!.stdout).toBe('one\n');
      const out = await cli(['commands', 'output', command.id, eid]);
      expect(out.code, out.stderr).toBe(0);
      expect(Buffer.byteLength(out.stdout)).toBe(row!.stdoutBytes);
      expect(row!.stdout.startsWith(out.stdout)).toBe(true);
      const err = await cli(['commands', 'output', command.id, eid, '--stream', 'stderr', '--follow']);
      expect(err.code, err.stderr).toBe(0);
      expect(Buffer.byteLength(err.stdout)).toBe(row!.stderrBytes);

      const summary = await cli(['commands', 'get', command.id]);
      expect(summary.stdout).toMatch(/^FAILED\s+1$/m);
      expect(summary.stdout).toMatch(/^4\s+1$/m);

      const retried = await cli(['commands', 'retry', command.id]);
      expect(retried.code, retried.stderr).toBe(0);
      const retryId = retried.stdout.trim();
      const retry = JSON.parse((await cli(['commands', 'get', retryId, '-o', 'json'])).stdout) as { retryOf: string };
      expect(retry.retryOf).toBe(command.id);

      // The audit log has the submit and the execution's final state under the command's id (the latter written in batches).
      let actions: string[] = [];
      for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(200)) {
        const audit = await cli(['audit', 'list', '--command-id', command.id, '--json']);
        actions = (JSON.parse(audit.stdout) as { action: string }[]).map((e) => e.action);
        if (actions.includes('execution.finished')) break;
      }
      expect(actions).toEqual(expect.arrayContaining(['command.submit', 'execution.finished']));
    });

    it('cancels a command waiting for an offline agent', async () => {
      // An agent that connected once (so its capabilities are known) and then went away.
      const enrolled = await cli(['agents', 'enroll', 'cli-offline', '--site', 'offline']);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      const agent = await fleet.startAgent({ id: 'cli-offline', token: enrolled.stdout.trim(), site: 'offline' });
      const connected = async () => (JSON.parse((await cli(['agents', 'get', 'cli-offline', '--json'])).stdout) as { connected: boolean }).connected;
      for (const deadline = Date.now() + 20_000; !(await connected()) && Date.now() < deadline;) await sleep(200);
      await agent.stop();
      for (const deadline = Date.now() + 20_000; (await connected()) && Date.now() < deadline;) await sleep(200);
      expect(await connected()).toBe(false);
      const submitted = await cli(['run', '--no-wait', '--ttl', '1h', 'cli-offline', '--', 'true']);
      expect(submitted.code, submitted.stderr).toBe(0);
      const id = submitted.stdout.trim();
      const cancelled = await cli(['commands', 'cancel', id]);
      expect(cancelled.code, cancelled.stderr).toBe(0);
      expect(cancelled.stdout).toMatch(new RegExp(`^${id}: 1 cancelled at once, 0 running told to stop \\[[A-Z_]+\\]\n$`));
      let states: string[] = [];
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(200)) {
        states = (JSON.parse((await cli(['commands', 'executions', id, '--json'])).stdout) as { state: string }[]).map((e) => e.state);
        if (states[0] === 'CANCELLED') break;
      }
      expect(states).toEqual(['CANCELLED']);
    });
  });

  it('prints an agent as YAML with --output yaml, the same data as --output json', async () => {
    const yaml = await cli(['agents', 'get', AGENT, '--output', 'yaml']);
    expect(yaml.code, yaml.stderr).toBe(0);
    const json = await cli(['agents', 'get', AGENT, '-o', 'json']);
    // lastSeenAt moves with the hub's presence flushes (every few seconds) between the two calls.
    const settled = (agent: Record<string, unknown>) => ({ ...agent, lastSeenAt: typeof agent.lastSeenAt });
    expect(settled(parseYaml(yaml.stdout) as Record<string, unknown>)).toEqual(settled(JSON.parse(json.stdout) as Record<string, unknown>));
    expect(parseYaml(yaml.stdout)).toMatchObject({ id: AGENT, connected: true });
  });

  it('creates, updates, disables and deletes a user; a disabled user cannot log in', async () => {
    const email = 'new-user@cli.test';
    const password = 'a long enough password 1';
    const created = await cli(['users', 'create', email, '--role', 'viewer', '--password-stdin', '-o', 'json'], `${password}\n`);
    expect(created.code, created.stderr).toBe(0);
    const user = JSON.parse(created.stdout) as { id: string; role: string; disabledAt: string | null };
    expect(user).toMatchObject({ role: 'viewer', disabledAt: null });

    const updated = await cli(['users', 'update', email, '--role', 'operator', '--json']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ id: user.id, role: 'operator' });

    const disabled = await cli(['users', 'disable', user.id, '--json']);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect((JSON.parse(disabled.stdout) as { disabledAt: string | null }).disabledAt).not.toBeNull();
    const refused = await cli(['--context', 'disabled-user', 'login', '--url', fleet.gatewayUrl, '--email', email, '--password-stdin'], `${password}\n`);
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(/^fleetplane: login failed: /);

    expect(await cli(['users', 'delete', user.id])).toMatchObject({ code: 0, stdout: '' });
    const users = JSON.parse((await cli(['users', 'list', '--json'])).stdout) as { email: string }[];
    expect(users.map((u) => u.email)).toContain(admin.email);
    expect(users.map((u) => u.email)).not.toContain(email);
    const again = await cli(['users', 'delete', user.id]);
    expect(again.code).toBe(255);
    expect(again.stderr).toMatch(/^fleetplane: not found \(404\)/);
  });

  it('a user changes their own password with both passwords on stdin; an admin ends all their sessions', async () => {
    const email = 'pw-user@cli.test';
    const [first, second] = ['first password 123', 'second password 456'];
    expect((await cli(['users', 'create', email, '--role', 'viewer', '--password-stdin'], `${first}\n`)).code).toBe(0);
    const asUser = (args: string[], stdin = '') => cli(['--context', 'pw-user', ...args], stdin);
    expect((await asUser(['login', '--url', fleet.gatewayUrl, '--email', email, '--password-stdin'], `${first}\n`)).code).toBe(0);

    const wrong = await asUser(['users', 'set-password', '--password-stdin'], `not it at all\n${second}\n`);
    expect(wrong.code).toBe(255);
    expect(wrong.stderr).toMatch(/^fleetplane: bad request \(400\): field currentPassword/);
    const changed = await asUser(['users', 'set-password', '--password-stdin'], `${first}\n${second}\n`);
    expect(changed.code, changed.stderr).toBe(0);
    expect((await cli(['--context', 'pw-old', 'login', '--url', fleet.gatewayUrl, '--email', email, '--password-stdin'], `${first}\n`)).code).toBe(255);
    expect((await asUser(['login', '--email', email, '--password-stdin'], `${second}\n`)).code).toBe(0);
    expect((await asUser(['agents', 'list'])).code).toBe(0);

    expect(await cli(['users', 'end-sessions', email])).toMatchObject({ code: 0, stdout: '' });
    const ended = await asUser(['agents', 'list']);
    expect(ended.code).toBe(255);
    expect(ended.stderr).toMatch(/^fleetplane: (session expired|not authenticated)/);
    expect((await cli(['users', 'delete', email])).code).toBe(0);
    // The ended session's file goes too (revoking it at the gateway fails: it is gone already).
    expect((await asUser(['logout'])).stderr).toMatch(/logged out/);
  });

  it('creates an API key with one scope that works for that scope only, lists it, and revokes it', async () => {
    const created = await cli(['api-keys', 'create', 'cli-int', '--role', 'viewer', '--scope', 'agents:read', '--expires', '1d']);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trimEnd();
    expect(created.stdout).toMatch(/^fp_\S+\n$/);
    expect(created.stderr).toMatch(/shown only once/);
    const asKey = { FLEETPLANE_API_KEY: key, FLEETPLANE_URL: fleet.gatewayUrl };

    const agents = await cli(['agents', 'list', '--json'], '', asKey);
    expect(agents.code, agents.stderr).toBe(0);
    expect((JSON.parse(agents.stdout) as { id: string }[]).map((a) => a.id)).toContain(AGENT);
    const outOfScope = await cli(['commands', 'list'], '', asKey);
    expect(outOfScope.code).toBe(255);
    expect(outOfScope.stderr).toMatch(/^fleetplane: permission denied \(403\)/);

    const listed = JSON.parse((await cli(['api-keys', 'list', '--json'])).stdout) as { id: string; name: string; scopes: string[]; expiresAt: string | null }[];
    const mine = listed.find((k) => k.name === 'cli-int')!;
    expect(mine.scopes).toEqual(['agents:read']);
    expect(Date.parse(mine.expiresAt!)).toBeGreaterThan(Date.now());
    expect((await cli(['api-keys', 'list'])).stdout).toMatch(/cli-int\s+\S+\s+viewer/);

    expect((await cli(['api-keys', 'revoke', mine.id])).code).toBe(0);
    const revoked = await cli(['agents', 'list'], '', asKey);
    expect(revoked.code).toBe(255);
    expect(revoked.stderr).toMatch(/^fleetplane: not authenticated \(401\)/);
  });

  it('shows the statistics as a summary and as YAML', async () => {
    const table = await cli(['stats']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^agents:\s+\d+ \(\d+ connected\)$/m);
    const { site } = JSON.parse((await cli(['agents', 'get', AGENT, '--json'])).stdout) as { site: string };
    expect(table.stdout).toMatch(new RegExp(`^SITE\\s+AGENTS\\s+CONNECTED\\n${site}\\s+1\\s+1$`, 'm'));
    const yaml = await cli(['stats', '--output', 'yaml']);
    expect(yaml.code, yaml.stderr).toBe(0);
    const stats = parseYaml(yaml.stdout) as {
      agents: { total: number; connected: number };
      executionsPerMinute: unknown[];
      commands: { lastHour: { total: number } };
    };
    expect(stats.agents.connected).toBeGreaterThanOrEqual(1);
    expect(stats.executionsPerMinute).toHaveLength(60);
    expect(stats.commands.lastHour.total).toBeGreaterThan(0);
  });

  it("opens an alert from the agent's own samples under a rule made with alert-rules create, acks and resolves it", async () => {
    // Any CPU value, at once: the agent's next sample (every TELEMETRY_INTERVAL_MS) fires it.
    const created = await cli([
      'alert-rules',
      'create',
      'cli-any-cpu',
      '--metric',
      'cpu_percent',
      '--comparison',
      '>=',
      '--warning',
      '0',
      '--for',
      '0',
      '--agent',
      AGENT,
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const rule = JSON.parse(created.stdout) as { id: string };
    let alerts: { id: string; state: string; ruleId: string }[] = [];
    for (const deadline = Date.now() + 25_000; alerts.length === 0; await sleep(250)) {
      if (Date.now() > deadline) throw new Error('no alert opened');
      const listed = await cli(['alerts', 'list', '--agent', AGENT, '--state', 'firing', '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      alerts = (JSON.parse(listed.stdout) as typeof alerts).filter((a) => a.ruleId === rule.id);
    }
    const ack = await cli(['alerts', 'ack', alerts[0]!.id]);
    expect(ack.code, ack.stderr).toBe(0);
    expect(ack.stdout).toMatch(/^state:\s+ACKNOWLEDGED$/m);
    const resolved = await cli(['alerts', 'resolve', alerts[0]!.id, '--json']);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect((JSON.parse(resolved.stdout) as { history: { transition: string }[] }).history.map((h) => h.transition)).toEqual([
      'fired',
      'acknowledged',
      'resolved',
    ]);
    // A second resolve is the gateway's 409.
    expect((await cli(['alerts', 'resolve', alerts[0]!.id])).code).toBe(255);
    const deleted = await cli(['alert-rules', 'delete', rule.id]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await cli(['alert-rules', 'list'])).stdout).not.toContain('cli-any-cpu');
  });

  it("runs tile-worker's two ready-made programs with tiles run, explains one, and shows the repeat as a cache hit in tiles stats", async () => {
    const cpu = join(dir, 'cpu.json');
    writeFileSync(cpu, JSON.stringify([...Array.from({ length: 19 }, () => ({ site: 'dc1', cpu: 20 })), { site: 'dc1', cpu: 99 }]));
    const p95 = await cli(['tiles', 'run', join(PROGRAMS, 'p95-cpu-per-site.json'), '--source', `samples=${cpu}`, '--json']);
    expect(p95.code, p95.stderr).toBe(0);
    const first = JSON.parse(p95.stdout) as { job: { state: string; stats: { cache: string } }; results: { rows: unknown[] }[] };
    expect(first.job.state).toBe('COMPLETED');
    expect(first.results[0]?.rows).toEqual([{ site: 'dc1', samples: 20, meanCpu: 23.95, p95Cpu: 20 }]);
    const disk = join(dir, 'disk.json');
    const t0 = Date.UTC(2026, 11, 1, 12);
    writeFileSync(
      disk,
      JSON.stringify(
        ['grows', 'flat'].flatMap((agentId) =>
          Array.from({ length: 30 }, (_, i) => ({ agentId, t: t0 + i * 120_000, disk: agentId === 'grows' ? 50 + i * 0.1 : 50 })),
        ),
      ),
    );
    const growth = await cli(['tiles', 'run', join(PROGRAMS, 'disk-growth-over-1pct-per-hour.json'), '--source', `samples=${disk}`, '--json']);
    expect(growth.code, growth.stderr).toBe(0);
    const rows = (JSON.parse(growth.stdout) as { results: { rows: { agentId: string; growthPerHour: number }[] }[] }).results[0]?.rows ?? [];
    // 0.1 % every 2 minutes: 3 %/h; the flat agent is not reported.
    expect(rows.map((r) => r.agentId)).toEqual(['grows']);
    expect(rows[0]?.growthPerHour).toBeCloseTo(3, 4);
    const again = JSON.parse(
      (await cli(['tiles', 'run', join(PROGRAMS, 'p95-cpu-per-site.json'), '--source', `samples=${cpu}`, '--json'])).stdout,
    ) as typeof first;
    expect(again.job.stats.cache).toBe('memory');
    const explained = await cli(['tiles', 'explain', join(PROGRAMS, 'p95-cpu-per-site.json'), '--rows', 'samples=3600']);
    expect(explained.stdout).toMatch(/^TILE PLAN/);
    const stats = await cli(['tiles', 'stats']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toMatch(/^cache \(memory\):\s+[1-9]\d* hit\(s\)/m);
  });

  it('a named context has its own URL and login, beside the default one', async () => {
    expect((await cli(['config', 'set-context', 'int', '--url', fleet.gatewayUrl])).code).toBe(0);
    const login = await cli(['--context', 'int', 'login', '--email', admin.email, '--password-stdin'], `${admin.password}\n`);
    expect(login.code, login.stderr).toBe(0);
    const contextLogin = join(dirname(config), 'credentials.int.json');
    expect(statSync(contextLogin).mode & 0o777).toBe(0o600);
    expect(readFileSync(contextLogin, 'utf8')).not.toBe(readFileSync(config, 'utf8'));

    expect((await cli(['config', 'use-context', 'int'])).code).toBe(0);
    const listed = await cli(['agents', 'get', AGENT, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const contexts = JSON.parse((await cli(['config', 'get-contexts', '--json'])).stdout) as { name: string; current: boolean; loggedIn: boolean }[];
    expect(contexts).toEqual([
      { name: 'default', current: false, url: null, loggedIn: true },
      { name: 'int', current: true, url: fleet.gatewayUrl, loggedIn: true },
    ]);
    expect((await cli(['config', 'get', 'url', '--show-origin'])).stdout).toBe(`file:${join(dir, 'xdg', 'fleetplane', 'config.json')}\t${fleet.gatewayUrl}\n`);
    // Its tokens go nowhere else.
    const elsewhere = await cli(['--url', 'http://127.0.0.1:9', 'agents', 'list']);
    expect(elsewhere.code).toBe(255);
    expect(elsewhere.stderr).toMatch(/the login of context int is for/);
    expect((await cli(['logout'])).code).toBe(0);
    expect(existsSync(contextLogin)).toBe(false);
    expect((await cli(['config', 'use-context', 'default'])).code).toBe(0);
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
    expect(lines[0]).toBe('id,at,actor,actorType,action,target,outcome,ip,traceId,commandId,details');
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
    expect(bad.code).toBe(255);
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
