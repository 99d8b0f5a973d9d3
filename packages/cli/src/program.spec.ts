import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FetchFn } from './api/client.js';
import { CredentialStore } from './auth/credentials.js';
import { runCli } from './program.js';
import { command, execution, fakeCommandGateway, fakeFetch, summaryOf, MemoryWriter } from './test/fakes.js';
import { cliIn } from './test/run-cli.js';

describe(runCli.name, () => {
  let dir: string;
  let config: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fp-cli-'));
    config = join(dir, 'credentials.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[], opts: { fetch?: FetchFn; env?: Record<string, string>; stdin?: string; stderrTty?: boolean } = {}) {
    const stdout = new MemoryWriter();
    const stderr = Object.assign(new MemoryWriter(), opts.stderrTty ? { isTTY: true } : {});
    const code = await runCli(args, {
      env: { FLEETPLANE_CONFIG: config, ...opts.env },
      stdout,
      stderr,
      stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
      home: dir,
      sleep: () => Promise.resolve(),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  const apiKey = { FLEETPLANE_URL: 'http://gw:4000', FLEETPLANE_API_KEY: 'fp_k_secret' };

  it("submits run's argv exactly as given, options and quotes included, without the -- separator", async () => {
    const fetch = fakeCommandGateway({ executions: [execution({ stdout: 'hi\n' })] });
    const r = await cli(['run', '--priority', 'high', '--timeout', '5', 'agent-1', '--', 'sh', '-c', 'echo "$HOME"; ls -la', '--json'], { fetch, env: apiKey });
    expect(r).toEqual({ code: 0, stdout: 'hi\n', stderr: '' });
    expect(fetch.requests[0]).toMatchObject({
      method: 'POST',
      path: '/commands',
      body: { verb: 'exec', params: { argv: ['sh', '-c', 'echo "$HOME"; ls -la', '--json'] }, targets: ['agent-1'], priority: 'high', timeoutSeconds: 5 },
    });
    // One agent: its output followed while it runs, read from the output ranges, not the inline summary.
    expect(fetch.requests.map((q) => `${q.method} ${q.path}`)).toEqual(
      expect.arrayContaining([
        'GET /commands/c1',
        'GET /commands/c1/executions/e1/output?stream=stdout&offset=0',
        'GET /commands/c1/executions/e1/output?stream=stderr&offset=0',
      ]),
    );
  });

  it('takes comma-separated targets and prefixes their output, read range by range', async () => {
    const fetch = fakeCommandGateway({
      executions: [execution({ agentId: 'a', stdout: 'x\ny\n' }), execution({ id: 'e2', agentId: 'b', state: 'FAILED', exitCode: 2, stderr: 'no\n' })],
      rangeSize: 3,
    });
    const r = await cli(['run', 'a,b', '--', 'uname'], { fetch, env: apiKey });
    expect(fetch.requests[0]!.body).toMatchObject({ targets: ['a', 'b'] });
    // Several targets: the first non-zero exit code in the order the targets were given.
    expect(r).toEqual({ code: 2, stdout: '[a] x\n[a] y\n', stderr: '[b] no\n' });
  });

  it('exits with the remote exit code, and 255 with the error when there is none', async () => {
    const three = await cli(['run', 'agent-1', '--', 'false'], {
      fetch: fakeCommandGateway({ command: { state: 'FAILED' }, executions: [execution({ state: 'FAILED', exitCode: 3 })] }),
      env: apiKey,
    });
    expect(three.code).toBe(3);
    const spawnError = await cli(['run', 'agent-1', '--', 'nope'], {
      fetch: fakeCommandGateway({ command: { state: 'FAILED' }, executions: [execution({ state: 'FAILED', exitCode: null, error: 'spawn nope ENOENT' })] }),
      env: apiKey,
    });
    expect(spawnError).toEqual({ code: 255, stdout: '', stderr: 'fleetplane: execution FAILED: spawn nope ENOENT\n' });
  });

  it('prints the inline output of an execution that stored no chunks (an agent that reported only a final result)', async () => {
    const fetch = fakeCommandGateway({ executions: [execution({ stdout: 'inline\n', stdoutBytes: 0 })] });
    expect(await cli(['run', 'agent-1', '--', 'echo', 'inline'], { fetch, env: apiKey })).toEqual({ code: 0, stdout: 'inline\n', stderr: '' });
    const several = fakeCommandGateway({
      executions: [execution({ agentId: 'a', stdout: 'one\n', stdoutBytes: 0 }), execution({ id: 'e2', agentId: 'b', stdout: 'two\n' })],
    });
    expect((await cli(['run', 'a,b', '--', 'echo'], { fetch: several, env: apiKey })).stdout).toBe('[a] one\n[b] two\n');
    expect(several.requests.filter((q) => q.path.includes('/output')).map((q) => q.path)).toEqual(['/commands/c1/executions/e2/output?stream=stdout&offset=0']);
  });

  it('--no-wait prints the command id and does not poll', async () => {
    const fetch = fakeCommandGateway();
    expect(await cli(['run', '--no-wait', 'agent-1', '--', 'true'], { fetch, env: apiKey })).toEqual({ code: 0, stdout: 'c1\n', stderr: '' });
    expect(fetch.requests).toHaveLength(1);
  });

  it('exec submits another verb with its JSON params', async () => {
    const fetch = fakeCommandGateway({ command: { verb: 'docker.ps' }, executions: [execution({ stdout: '[]\n' })] });
    const r = await cli(['exec', 'docker.ps', '--params', '{"all":true}', 'a', 'b,c'], { fetch, env: apiKey });
    expect(r.code).toBe(0);
    expect(fetch.requests[0]!.body).toEqual({ verb: 'docker.ps', params: { all: true }, targets: ['a', 'b', 'c'] });
  });

  describe('run with a selector', () => {
    const fleet = [
      execution({ id: 'e1', agentId: 'web-1', stdout: ' 10:00 up 3 days\nsecond line\n' }),
      execution({ id: 'e2', agentId: 'web-2', state: 'FAILED', exitCode: 1, stdout: '', stderr: 'uptime: not found\n' }),
      execution({ id: 'e3', agentId: 'web-3', state: 'EXPIRED', exitCode: null, reason: 'agent offline' }),
      execution({ id: 'e4', agentId: 'web-4', state: 'FAILED', exitCode: null, error: 'spawn uptime ENOENT' }),
    ];

    it('sends the flags as one selector with the rate limits, and prints a table per agent, paged, with the exit status of all', async () => {
      const fetch = fakeCommandGateway({ command: { state: 'FAILED' }, executions: fleet, pageSize: 3 });
      const r = await cli(
        [
          'run',
          '--site',
          'eu',
          '--label',
          'role=web',
          '--label',
          'tier=1',
          '--capability',
          'exec',
          '--os',
          'linux',
          '--connected',
          '--agent',
          'web-1,web-2',
          '--max-concurrency',
          '10%',
          '--max-errors',
          '5',
          '--ttl',
          '1h',
          '--timeout',
          '30s',
          '--',
          'uptime',
          '-p',
        ],
        { fetch, env: apiKey },
      );
      expect(fetch.requests[0]!.body).toEqual({
        verb: 'exec',
        params: { argv: ['uptime', '-p'] },
        targets: { agentIds: ['web-1', 'web-2'], site: 'eu', labels: { role: 'web', tier: '1' }, capabilities: ['exec'], os: 'linux', connected: true },
        timeoutSeconds: 30,
        ttlSeconds: 3600,
        maxConcurrency: '10%',
        maxErrors: 5,
      });
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^AGENT\s+STATE\s+EXIT\s+OUTPUT \/ ERROR$/);
      expect(lines.slice(1)).toEqual([
        expect.stringMatching(/^web-1\s+COMPLETED\s+0\s+10:00 up 3 days$/),
        expect.stringMatching(/^web-2\s+FAILED\s+1\s+uptime: not found$/),
        expect.stringMatching(/^web-3\s+EXPIRED\s+-\s+agent offline$/),
        expect.stringMatching(/^web-4\s+FAILED\s+-\s+spawn uptime ENOENT$/),
      ]);
      // Two pages of executions, and no output ranges: the table uses the inline summary.
      expect(fetch.requests.filter((q) => q.path.startsWith('/commands/c1/executions')).map((q) => q.path)).toEqual([
        '/commands/c1/executions?pageSize=500',
        '/commands/c1/executions?pageSize=500&pageToken=3',
      ]);
      expect(r.code).toBe(1);
      // Not a terminal: plain progress lines on stderr.
      expect(r.stderr).toBe('c1: 1/4 done, 3 failed, 0 running, 0 waiting [FAILED]\n');
    });

    it('exits 0 only when every execution succeeded', async () => {
      const fetch = fakeCommandGateway({ executions: [execution({ agentId: 'a' }), execution({ id: 'e2', agentId: 'b' })] });
      expect((await cli(['run', '--site', 'eu', '--', 'true'], { fetch, env: apiKey })).code).toBe(0);
      expect(fetch.requests[0]!.body).toMatchObject({ targets: { site: 'eu' } });
    });

    it('redraws one progress line on a terminal while it runs', async () => {
      const running = (byState: Record<string, number>) => ({ state: 'RUNNING' as const, summary: { ...summaryOf(fleet), byState } });
      const fetch = fakeCommandGateway({
        command: { state: 'FAILED' },
        executions: fleet,
        progress: [running({ QUEUED: 4 }), running({ RUNNING: 2, QUEUED: 2 }), running({ RUNNING: 2, QUEUED: 2 }), running({ COMPLETED: 1, RUNNING: 3 })],
      });
      const r = await cli(['run', '--label', 'role=web', '--', 'uptime'], { fetch, env: apiKey, stderrTty: true });
      expect(r.stderr).toBe(
        [
          '\r\x1b[2Kc1: 0/4 done, 0 failed, 0 running, 4 waiting [RUNNING]',
          '\r\x1b[2Kc1: 0/4 done, 0 failed, 2 running, 2 waiting [RUNNING]',
          '\r\x1b[2Kc1: 1/4 done, 0 failed, 3 running, 0 waiting [RUNNING]',
          '\r\x1b[2Kc1: 1/4 done, 3 failed, 0 running, 0 waiting [FAILED]',
          '\n',
        ].join(''),
      );
    });

    it('prints the command and every execution with --output json', async () => {
      const fetch = fakeCommandGateway({ command: { state: 'FAILED' }, executions: fleet });
      const r = await cli(['run', '--os', 'linux', '-o', 'json', '--', 'uptime'], { fetch, env: apiKey });
      const parsed = JSON.parse(r.stdout) as { command: { id: string }; executions: { agentId: string }[] };
      expect(parsed.command.id).toBe('c1');
      expect(parsed.executions.map((e) => e.agentId)).toEqual(['web-1', 'web-2', 'web-3', 'web-4']);
      expect(r.stderr).toBe('');
    });

    it('refuses bad selector and limit flags without calling the API', async () => {
      const fetch = fakeCommandGateway();
      for (const args of [
        ['run', '--site', 'eu'],
        ['run', '--site', 'eu', '--'],
        ['run', '--label', 'role', '--', 'x'],
        ['run', '--max-concurrency', '0', '--site', 'eu', '--', 'x'],
        ['run', '--max-errors', '150%', '--site', 'eu', '--', 'x'],
        ['run', '--ttl', '8d', '--site', 'eu', '--', 'x'],
        ['run', '--timeout', '2h30', 'a', '--', 'x'],
        ['run', '--', 'x'],
        ['exec', 'system.info', '--params', '{}'],
      ]) {
        const r = await cli(args, { fetch, env: apiKey });
        expect(r.code, args.join(' ')).toBe(255);
        expect(r.stderr, args.join(' ')).toMatch(/^fleetplane: /);
      }
      expect(fetch.requests).toHaveLength(0);
    });
  });

  describe('commands cancel|retry|executions|output', () => {
    const executions = [
      execution({ id: 'e1', agentId: 'a', stdout: 'hello\nworld\n', stderr: 'warn\n' }),
      execution({ id: 'e2', agentId: 'b', state: 'FAILED', exitCode: 2, error: 'boom' }),
    ];

    it('cancels a command or one execution', async () => {
      const fetch = fakeCommandGateway({ executions });
      expect(await cli(['commands', 'cancel', 'c1'], { fetch, env: apiKey })).toEqual({
        code: 0,
        stdout: 'c1: 2 cancelled at once, 1 running told to stop [CANCELLED]\n',
        stderr: '',
      });
      const one = await cli(['commands', 'cancel', 'c1', '--execution', 'e1'], { fetch, env: apiKey });
      expect(one.stdout).toBe('e1: RUNNING (its agent is told to stop it)\n');
      expect(fetch.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['POST /commands/c1/cancel', 'POST /commands/c1/executions/e1/cancel']);
    });

    it('retries a command and prints the new id', async () => {
      const fetch = fakeCommandGateway({ executions });
      expect(await cli(['commands', 'retry', 'c1'], { fetch, env: apiKey })).toEqual({ code: 0, stdout: 'c2\n', stderr: '' });
      expect(fetch.requests[0]).toMatchObject({ method: 'POST', path: '/commands/c1/retry' });
    });

    it('lists executions with the filters, every page', async () => {
      const fetch = fakeCommandGateway({ executions, pageSize: 1 });
      const all = await cli(['commands', 'executions', 'c1'], { fetch, env: apiKey });
      expect(all.stdout).toMatch(/^EXECUTION\s+AGENT\s+STATE/);
      expect(all.stdout).toMatch(/^e1\s+a\s+COMPLETED\s+0\s+1\s+12\+5\s+-\s+hello$/m);
      expect(all.stdout).toMatch(/^e2\s+b\s+FAILED\s+2\s+1\s+0\+0\s+-\s+boom$/m);
      const failed = await cli(['commands', 'executions', 'c1', '--state', 'FAILED', '--exit-code', '2', '--json'], { fetch, env: apiKey });
      expect((JSON.parse(failed.stdout) as { id: string }[]).map((e) => e.id)).toEqual(['e2']);
      expect(fetch.requests.at(-1)!.path).toBe('/commands/c1/executions?pageSize=500&state=FAILED&exitCode=2');
      expect((await cli(['commands', 'executions', 'c1', '--state', 'DONE'], { fetch, env: apiKey })).code).toBe(255);
    });

    it("prints an execution's whole output, either stream, range by range", async () => {
      const fetch = fakeCommandGateway({ executions, rangeSize: 4 });
      expect(await cli(['commands', 'output', 'c1', 'e1'], { fetch, env: apiKey })).toEqual({ code: 0, stdout: 'hello\nworld\n', stderr: '' });
      expect((await cli(['commands', 'output', 'c1', 'e1', '--stream', 'stderr'], { fetch, env: apiKey })).stdout).toBe('warn\n');
    });
  });

  it('exits 255 on usage errors without calling the API', async () => {
    const fetch = fakeFetch(() => ({ status: 500 }));
    for (const args of [
      ['run', 'agent-1'],
      ['run', 'agent-1', '--'],
      ['run', '--priority', 'urgent', 'a', '--', 'x'],
      ['exec', 'docker.ps', 'a', '--params', '[]'],
      ['agents', 'nope'],
      ['bogus'],
    ]) {
      const r = await cli(args, { fetch, env: apiKey });
      expect(r.code, args.join(' ')).toBe(255);
      expect(r.stderr, args.join(' ')).toMatch(/^fleetplane: /);
    }
    expect(fetch.requests).toHaveLength(0);
  });

  it('says "not logged in" without stored credentials or an API key', async () => {
    expect(await cli(['agents', 'list'])).toEqual({ code: 255, stdout: '', stderr: 'fleetplane: not logged in: run fleetplane login\n' });
  });

  it('reports API errors in one line with the trace id, exit 255', async () => {
    const traceId = '4bf92f3577b34da6a3ce929da0e4736a';
    const fetch = fakeFetch(() => ({ status: 404, body: { statusCode: 404, error: 'Not Found', message: 'agent ghost not found', traceId } }));
    expect(await cli(['run', 'ghost', '--', 'true'], { fetch, env: apiKey })).toEqual({
      code: 255,
      stdout: '',
      stderr: `fleetplane: not found (404): agent ghost not found (trace ${traceId})\n`,
    });
  });

  it('prints agents as a table or as JSON', async () => {
    const agents = [{ id: 'a1', site: 'dc1', connected: true, labels: {}, capabilities: [] }];
    const fetch = fakeFetch(() => ({ status: 200, body: { agents, nextPageToken: null } }));
    const table = await cli(['agents', 'list', '--connected', '--site', 'dc1'], { fetch, env: apiKey });
    expect(table.stdout).toMatch(/^ID\s+SITE/);
    expect(fetch.requests[0]!.path).toBe('/agents?pageSize=500&site=dc1&connected=true');
    const asJson = await cli(['agents', 'list', '--json'], { fetch, env: apiKey });
    expect(JSON.parse(asJson.stdout)).toMatchObject([{ id: 'a1', connected: true }]);
  });

  it('prints the enroll token alone on stdout and the once-only note on stderr', async () => {
    const fetch = fakeFetch(() => ({ status: 201, body: { agent: { id: 'new', connected: false }, token: 'tok-123' } }));
    const r = await cli(['agents', 'enroll', 'new', '--site', 'dc1', '--label', 'role=db', '--label', 'tier=1'], { fetch, env: apiKey });
    expect(r.stdout).toBe('tok-123\n');
    expect(r.stderr).toMatch(/shown only once/);
    expect(fetch.requests[0]!.body).toEqual({ id: 'new', site: 'dc1', labels: { role: 'db', tier: '1' } });
  });

  it('lists commands for one agent', async () => {
    const fetch = fakeFetch(() => ({ status: 200, body: { commands: [command()], nextPageToken: null } }));
    const r = await cli(['commands', 'list', '--agent', 'agent-1', '--limit', '5', '--json'], { fetch, env: apiKey });
    expect(fetch.requests[0]!.path).toBe('/commands?pageSize=5&agentId=agent-1');
    expect((JSON.parse(r.stdout) as { id: string }[])[0]?.id).toBe('c1');
  });

  describe('login', () => {
    const loginFetch = () =>
      fakeFetch((req) => {
        const body = req.body as { password?: string; refreshToken?: string };
        if (req.path === '/auth/login') {
          return body.password === 'right password'
            ? { status: 200, body: { accessToken: 'acc', refreshToken: 'ref', tokenType: 'Bearer', expiresIn: 900 } }
            : { status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'invalid email or password' } };
        }
        if (req.path === '/auth/logout') return { status: 204 };
        return { status: 200, body: { agents: [], nextPageToken: null } };
      });

    it('reads the password from stdin, stores the tokens with mode 0600, and never prints them', async () => {
      const fetch = loginFetch();
      const r = await cli(['login', '--url', 'http://gw:4000/', '--email', 'op@example.com', '--password-stdin'], { fetch, stdin: 'right password\n' });
      expect(r.code).toBe(0);
      expect(fetch.requests[0]!.body).toEqual({ email: 'op@example.com', password: 'right password' });
      expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ url: 'http://gw:4000', accessToken: 'acc', refreshToken: 'ref' });
      expect(statSync(config).mode & 0o777).toBe(0o600);
      expect(r.stdout + r.stderr).not.toMatch(/acc|ref"|right password/);

      const listed = await cli(['agents', 'list'], { fetch });
      expect(listed.code).toBe(0);
      expect(fetch.requests[1]!.headers.authorization).toBe('Bearer acc');
    });

    it('writes nothing when the password is wrong', async () => {
      const r = await cli(['login', '--url', 'http://gw:4000', '--email', 'op@example.com', '--password-stdin'], { fetch: loginFetch(), stdin: 'wrong\n' });
      expect(r).toEqual({ code: 255, stdout: '', stderr: 'fleetplane: login failed: invalid email or password\n' });
      expect(existsSync(config)).toBe(false);
    });

    it('refuses to prompt without a terminal and needs --email with --password-stdin', async () => {
      expect((await cli(['login', '--email', 'op@example.com'], { fetch: loginFetch() })).stderr).toMatch(/--password-stdin/);
      expect((await cli(['login', '--password-stdin'], { fetch: loginFetch(), stdin: 'x' })).code).toBe(255);
    });

    it('logout revokes the refresh token and deletes the file', async () => {
      await new CredentialStore(config).save({ url: 'http://gw:4000', accessToken: 'acc', refreshToken: 'ref' });
      const fetch = loginFetch();
      expect((await cli(['logout'], { fetch })).code).toBe(0);
      expect(fetch.requests[0]).toMatchObject({ path: '/auth/logout', body: { refreshToken: 'ref' } });
      expect(existsSync(config)).toBe(false);
    });

    it('an API key in the environment wins over the stored login', async () => {
      await new CredentialStore(config).save({ url: 'http://stored:4000', accessToken: 'acc', refreshToken: 'ref' });
      const fetch = loginFetch();
      await cli(['agents', 'list'], { fetch, env: apiKey });
      expect(fetch.requests[0]!.headers).toMatchObject({ 'x-api-key': 'fp_k_secret' });
      expect(fetch.requests[0]!.headers.authorization).toBeUndefined();
    });
  });

  it('prints the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('--output yaml and json print the same data; --json is an alias that must not contradict --output', async () => {
    const agents = [{ id: 'a1', site: 'dc1', connected: true, labels: { role: 'db' }, capabilities: [] }];
    const fetch = fakeFetch(() => ({ status: 200, body: { agents, nextPageToken: null } }));
    const yaml = await cli(['agents', 'list', '--output', 'yaml'], { fetch, env: apiKey });
    expect(yaml.stdout).toMatch(/^- id: a1\n {2}site: dc1\n/);
    expect(yaml.stdout).toContain('  labels:\n    role: db\n');
    const json = await cli(['agents', 'list', '-o', 'json'], { fetch, env: apiKey });
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse((await cli(['agents', 'list', '--json'], { fetch, env: apiKey })).stdout));
    const both = await cli(['agents', 'list', '--json', '--output', 'yaml'], { fetch, env: apiKey });
    expect(both.code).toBe(255);
    expect(both.stderr).toMatch(/--json and --output disagree/);
    expect((await cli(['agents', 'list', '--output', 'xml'], { fetch, env: apiKey })).code).toBe(255);
  });

  it('exits 255 for a bare command group (its help goes to stderr) and 0 for --help', async () => {
    const bare = await cli(['users']);
    expect(bare.code).toBe(255);
    expect(bare.stderr).toMatch(/Usage: fleetplane users/);
    expect((await cli(['users', '--help'])).code).toBe(0);
  });

  it('names the gateway it cannot reach with exit 255', async () => {
    const fetch: FetchFn = () => Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }));
    expect(await cli(['agents', 'list'], { fetch, env: apiKey })).toEqual({
      code: 255,
      stdout: '',
      stderr: 'fleetplane: cannot reach the gateway at http://gw:4000: connect ECONNREFUSED 127.0.0.1:9\n',
    });
  });

  it('fits tables to the terminal width; --wide and a pipe print them whole', async () => {
    const long = 'x'.repeat(200);
    const fetch = fakeFetch(() => ({ status: 200, body: { agents: [{ id: 'a1', connected: true, labels: { note: long } }], nextPageToken: null } }));
    const run = cliIn(dir, apiKey);
    const fitted = await run(['agents', 'list'], { fetch, columns: 60 });
    expect(
      Math.max(
        ...fitted.stdout
          .trimEnd()
          .split('\n')
          .map((l) => l.length),
      ),
    ).toBe(60);
    expect(fitted.stdout).toContain('…');
    expect((await run(['agents', 'list', '--wide'], { fetch, columns: 60 })).stdout).toContain(long);
    expect((await run(['agents', 'list'], { fetch })).stdout).toContain(long);
  });
});
