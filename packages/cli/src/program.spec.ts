import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FetchFn } from './api/client.js';
import { CredentialStore } from './auth/credentials.js';
import { runCli } from './program.js';
import { command, execution, fakeFetch, MemoryWriter } from './test/fakes.js';
import { cliIn } from './test/run-cli.js';

describe(runCli.name, () => {
  let dir: string;
  let config: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fp-cli-'));
    config = join(dir, 'credentials.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[], opts: { fetch?: FetchFn; env?: Record<string, string>; stdin?: string } = {}) {
    const stdout = new MemoryWriter();
    const stderr = new MemoryWriter();
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

  /** Submissions come back QUEUED; the first GET shows them finished as `result`. */
  function gatewayRunning(result: ReturnType<typeof command>) {
    const { executions, ...rest } = result;
    return fakeFetch((req) => {
      if (req.method === 'POST') return { status: 202, body: { ...rest, state: 'QUEUED' } };
      if (req.path.startsWith('/commands/c1/executions')) return { status: 200, body: { executions, nextPageToken: null } };
      return { status: 200, body: rest };
    });
  }

  it("submits run's argv exactly as given, options and quotes included, without the -- separator", async () => {
    const fetch = gatewayRunning(command({ executions: [execution({ stdout: 'hi\n' })] }));
    const r = await cli(['run', '--priority', 'high', '--timeout', '5', 'agent-1', '--', 'sh', '-c', 'echo "$HOME"; ls -la', '--json'], { fetch, env: apiKey });
    expect(r).toEqual({ code: 0, stdout: 'hi\n', stderr: '' });
    expect(fetch.requests[0]).toMatchObject({
      method: 'POST',
      path: '/commands',
      body: { verb: 'exec', params: { argv: ['sh', '-c', 'echo "$HOME"; ls -la', '--json'] }, targets: ['agent-1'], priority: 'high', timeoutSeconds: 5 },
    });
    expect(fetch.requests[1]).toMatchObject({ method: 'GET', path: '/commands/c1' });
  });

  it('takes comma-separated targets and prefixes their output', async () => {
    const fetch = gatewayRunning(
      command({
        executions: [execution({ agentId: 'a', stdout: 'x\n' }), execution({ id: 'e2', agentId: 'b', state: 'FAILED', exitCode: 2, stderr: 'no\n' })],
      }),
    );
    const r = await cli(['run', 'a,b', '--', 'uname'], { fetch, env: apiKey });
    expect(fetch.requests[0]!.body).toMatchObject({ targets: ['a', 'b'] });
    // Several targets: the first non-zero exit code in the order the targets were given.
    expect(r).toEqual({ code: 2, stdout: '[a] x\n', stderr: '[b] no\n' });
  });

  it('exits with the remote exit code, and 255 with the error when there is none', async () => {
    const three = await cli(['run', 'agent-1', '--', 'false'], {
      fetch: gatewayRunning(command({ state: 'FAILED', executions: [execution({ state: 'FAILED', exitCode: 3 })] })),
      env: apiKey,
    });
    expect(three.code).toBe(3);
    const spawnError = await cli(['run', 'agent-1', '--', 'nope'], {
      fetch: gatewayRunning(command({ state: 'FAILED', executions: [execution({ state: 'FAILED', exitCode: null, error: 'spawn nope ENOENT' })] })),
      env: apiKey,
    });
    expect(spawnError).toEqual({ code: 255, stdout: '', stderr: 'fleetplane: execution FAILED: spawn nope ENOENT\n' });
  });

  it('--no-wait prints the command id and does not poll', async () => {
    const fetch = gatewayRunning(command());
    expect(await cli(['run', '--no-wait', 'agent-1', '--', 'true'], { fetch, env: apiKey })).toEqual({ code: 0, stdout: 'c1\n', stderr: '' });
    expect(fetch.requests).toHaveLength(1);
  });

  it('exec submits another verb with its JSON params', async () => {
    const fetch = gatewayRunning(command({ verb: 'docker.ps', executions: [execution({ stdout: '[]\n' })] }));
    const r = await cli(['exec', 'docker.ps', '--params', '{"all":true}', 'a', 'b,c'], { fetch, env: apiKey });
    expect(r.code).toBe(0);
    expect(fetch.requests[0]!.body).toEqual({ verb: 'docker.ps', params: { all: true }, targets: ['a', 'b', 'c'] });
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
