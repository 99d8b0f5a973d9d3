import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialStore } from '../auth/credentials.js';
import { fakeFetch } from '../test/fakes.js';
import { cliIn } from '../test/run-cli.js';

describe('fleetplane config and contexts', () => {
  let dir: string;
  let cli: ReturnType<typeof cliIn>;
  let userFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fp-cli-config-'));
    cli = cliIn(dir);
    userFile = join(dir, 'xdg', 'fleetplane', 'config.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const readUser = () => JSON.parse(readFileSync(userFile, 'utf8')) as unknown;
  const credentials = (name?: string) => join(dir, '.config', 'fleetplane', name ? `credentials.${name}.json` : 'credentials.json');

  it('lists the defaults with their origin before anything is configured', async () => {
    const r = await cli(['config', 'list', '--show-origin']);
    expect(r).toEqual({ code: 0, stdout: 'default\tcontext=default\ndefault\turl=http://127.0.0.1:4000\ndefault\toutput=table\n', stderr: '' });
  });

  it('set writes the user file under XDG_CONFIG_HOME; get reads it back with its origin; unset removes it', async () => {
    expect((await cli(['config', 'set', 'output', 'yaml'])).code).toBe(0);
    expect((await cli(['config', 'set', 'url', 'https://gw.example.com/'])).code).toBe(0);
    expect(readUser()).toEqual({ output: 'yaml', contexts: { default: { url: 'https://gw.example.com' } } });
    expect((await cli(['config', 'get', 'output', '--show-origin'])).stdout).toBe(`file:${userFile}\tyaml\n`);
    expect((await cli(['config', 'get', 'url'])).stdout).toBe('https://gw.example.com\n');
    expect((await cli(['config', 'get', 'contexts.default.url'])).stdout).toBe('https://gw.example.com\n');
    expect((await cli(['config', 'unset', 'output'])).code).toBe(0);
    expect((await cli(['config', 'get', 'output', '--show-origin'])).stdout).toBe('default\ttable\n');
  });

  it('a .fleetplanerc in a parent directory beats the user file; the environment beats both; a flag beats all', async () => {
    await cli(['config', 'set', 'output', 'json']);
    const repo = join(dir, 'repo');
    const deep = join(repo, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(repo, '.fleetplanerc'), JSON.stringify({ output: 'yaml' }));
    expect((await cli(['config', 'get', 'output', '--show-origin'], { cwd: deep })).stdout).toBe(`file:${join(repo, '.fleetplanerc')}\tyaml\n`);
    expect((await cli(['config', 'get', 'output', '--show-origin'], { cwd: deep, env: { FLEETPLANE_OUTPUT: 'table' } })).stdout).toBe(
      'env:FLEETPLANE_OUTPUT\ttable\n',
    );
    // The user file is still there underneath.
    expect((await cli(['config', 'get', 'output'])).stdout).toBe('json\n');
    const agents = fakeFetch(() => ({ status: 200, body: { agents: [{ id: 'a1', connected: true }], nextPageToken: null } }));
    const env = { FLEETPLANE_API_KEY: 'fp_k_s', FLEETPLANE_OUTPUT: 'table' };
    const flagged = await cli(['agents', 'list', '--output', 'yaml'], { cwd: deep, env, fetch: agents });
    expect(flagged.stdout).toMatch(/^- id: a1\n/);
    expect((await cli(['agents', 'list'], { cwd: deep, env, fetch: agents })).stdout).toMatch(/^ID\s+SITE/);
  });

  it('never writes a secret, and refuses a config file that holds one', async () => {
    for (const key of ['apiKey', 'api-key', 'token', 'contexts.prod.password']) {
      const r = await cli(['config', 'set', key, 'fp_x_secret']);
      expect(r.code, key).toBe(255);
      expect(r.stderr, key).toMatch(/secrets never go into config files/);
    }
    expect(existsSync(userFile)).toBe(false);
    mkdirSync(join(dir, 'xdg', 'fleetplane'), { recursive: true });
    writeFileSync(userFile, JSON.stringify({ contexts: { prod: { url: 'https://p', apiKey: 'fp_x_secret' } } }));
    const r = await cli(['config', 'list']);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/contexts\.prod\.apiKey" looks like a secret/);
  });

  it('refuses unknown keys, bad values and a file with a typo, naming them (exit 255)', async () => {
    expect((await cli(['config', 'set', 'colour', 'red'])).stderr).toMatch(/unknown key colour/);
    expect((await cli(['config', 'set', 'output', 'xml'])).stderr).toMatch(/output: use table, json, yaml/);
    expect((await cli(['config', 'set', 'url', 'ftp://x'])).code).toBe(255);
    writeFileSync(join(dir, 'work', '.fleetplanerc'), JSON.stringify({ outptu: 'json' }));
    const r = await cli(['config', 'list']);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/\.fleetplanerc: .*outptu/);
    expect((await cli(['config', 'list'], { env: { FLEETPLANE_OUTPUT: 'xml' }, cwd: dir })).stderr).toBe(
      'fleetplane: output "xml" (env:FLEETPLANE_OUTPUT): use table, json, yaml\n',
    );
  });

  it('named contexts: set-context, use-context, get-contexts; each has its own URL and login', async () => {
    expect((await cli(['config', 'set-context', 'prod', '--url', 'https://prod.example.com'])).code).toBe(0);
    expect((await cli(['config', 'use-context', 'nope'])).stderr).toMatch(/no context "nope" \(known: default, prod\)/);
    expect((await cli(['config', 'use-context', 'prod'])).code).toBe(0);
    expect(readUser()).toEqual({ context: 'prod', contexts: { prod: { url: 'https://prod.example.com' } } });

    const login = fakeFetch((req) =>
      req.path === '/auth/login'
        ? { status: 200, body: { accessToken: 'prod-access', refreshToken: 'prod-refresh' } }
        : { status: 200, body: { agents: [], nextPageToken: null } },
    );
    const r = await cli(['login', '--email', 'op@example.com', '--password-stdin'], { fetch: login, stdin: 'pw\n' });
    expect(r.stderr).toMatch(/logged in to https:\/\/prod\.example\.com as op@example\.com \(context prod\)/);
    expect(JSON.parse(readFileSync(credentials('prod'), 'utf8'))).toMatchObject({ url: 'https://prod.example.com', accessToken: 'prod-access' });
    expect(existsSync(credentials())).toBe(false);

    // The default context keeps the pre-contexts credentials file and its URL.
    await new CredentialStore(credentials()).save({ url: 'http://127.0.0.1:4000', accessToken: 'default-access', refreshToken: 'r' });
    await cli(['agents', 'list'], { fetch: login });
    expect(login.requests.at(-1)!.headers.authorization).toBe('Bearer prod-access');
    await cli(['--context', 'default', 'agents', 'list'], { fetch: login });
    expect(login.requests.at(-1)!.headers.authorization).toBe('Bearer default-access');
    await cli(['agents', 'list', '--context', 'default'], { fetch: login });
    expect(login.requests.at(-1)!.headers.authorization).toBe('Bearer default-access');
    await cli(['agents', 'list'], { fetch: login, env: { FLEETPLANE_CONTEXT: 'default' } });
    expect(login.requests.at(-1)!.headers.authorization).toBe('Bearer default-access');

    const contexts = await cli(['config', 'get-contexts', '--output', 'json']);
    expect(JSON.parse(contexts.stdout)).toEqual([
      { name: 'default', current: false, url: null, loggedIn: true },
      { name: 'prod', current: true, url: 'https://prod.example.com', loggedIn: true },
    ]);
    expect((await cli(['config', 'get-contexts'])).stdout).toMatch(/^\*\s+prod\s+https:\/\/prod\.example\.com\s+yes$/m);
    expect((await cli(['config', 'get-contexts', '--names'])).stdout).toBe('default\nprod\n');
  });

  it("sends a context's tokens only to the URL that issued them", async () => {
    await new CredentialStore(credentials()).save({ url: 'http://127.0.0.1:4000', accessToken: 'a', refreshToken: 'r' });
    const fetch = fakeFetch(() => ({ status: 200, body: { agents: [], nextPageToken: null } }));
    const r = await cli(['agents', 'list'], { fetch, env: { FLEETPLANE_URL: 'http://elsewhere:4000' } });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/the login of context default is for http:\/\/127\.0\.0\.1:4000, not http:\/\/elsewhere:4000 \(env:FLEETPLANE_URL\)/);
    expect(fetch.requests).toHaveLength(0);
  });

  it('FLEETPLANE_CONFIG still names the default login; other contexts sit beside it', async () => {
    const custom = join(dir, 'custom', 'creds.json');
    const login = fakeFetch(() => ({ status: 200, body: { accessToken: 'x', refreshToken: 'y' } }));
    const env = { FLEETPLANE_CONFIG: custom, FLEETPLANE_URL: 'http://gw:4000' };
    await cli(['login', '--email', 'a@b.c', '--password-stdin'], { fetch: login, stdin: 'pw', env });
    await cli(['--context', 'lab', 'login', '--email', 'a@b.c', '--password-stdin'], { fetch: login, stdin: 'pw', env });
    expect(existsSync(custom)).toBe(true);
    expect(existsSync(join(dir, 'custom', 'creds.lab.json'))).toBe(true);
    const contexts = await cli(['config', 'get-contexts', '--json'], { env });
    expect((JSON.parse(contexts.stdout) as { name: string }[]).map((c) => c.name)).toEqual(['default', 'lab']);
  });

  it('names an unknown context and how to create it', async () => {
    const r = await cli(['--context', 'typo', 'agents', 'list']);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/no context "typo" \(known: default\): create it with fleetplane config set-context typo --url URL/);
    expect((await cli(['--context', '../etc', 'agents', 'list'])).stderr).toMatch(/names are letters, digits/);
  });
});
