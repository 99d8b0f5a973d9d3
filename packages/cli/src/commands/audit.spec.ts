import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FetchFn } from '../api/client.js';
import { runCli } from '../program.js';
import { fakeFetch, MemoryWriter, type Recorded } from '../test/fakes.js';

const apiKey = { FLEETPLANE_URL: 'http://gw:4000', FLEETPLANE_API_KEY: 'fp_k_secret' };

const entry = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  at: '2026-12-01T09:00:00.000Z',
  actor: 'u-1',
  actorType: 'user',
  action: 'command.submit',
  target: 'c-1',
  outcome: 'success',
  ip: '127.0.0.1',
  traceId: '4bf92f3577b34da6a3ce929da0e4736a',
  details: {},
  ...over,
});

/** A fetch that answers with `chunks` as a streamed text body, recording the request. */
function streamingFetch(chunks: string[], status = 200): FetchFn & { requests: Pick<Recorded, 'method' | 'path'>[] } {
  const requests: Pick<Recorded, 'method' | 'path'>[] = [];
  const fn = (input: string, init: RequestInit): Promise<Response> => {
    const url = new URL(input);
    requests.push({ method: init.method ?? 'GET', path: url.pathname.replace(/^\/api\/v1/, '') + url.search });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
        controller.close();
      },
    });
    return Promise.resolve(new Response(body, { status, headers: { 'content-type': 'text/csv' } }));
  };
  return Object.assign(fn, { requests });
}

describe('fleetplane audit', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fp-cli-audit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[], fetch: FetchFn) {
    const stdout = new MemoryWriter();
    const stderr = new MemoryWriter();
    const code = await runCli(args, {
      env: { FLEETPLANE_CONFIG: join(dir, 'credentials.json'), ...apiKey },
      stdout,
      stderr,
      stdin: Readable.from([]),
      home: dir,
      fetch,
    });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  it('list sends every filter as a query parameter and prints a table', async () => {
    const fetch = fakeFetch(() => ({
      status: 200,
      body: { entries: [entry('1'), entry('2', { actor: 'k-1', actorType: 'api_key', outcome: 'denied', ip: null })], nextPageToken: 'next' },
    }));
    const r = await cli(
      [
        'audit',
        'list',
        '--actor',
        'u-1',
        '--action',
        'command.submit',
        '--resource-type',
        'command',
        '--target',
        'c-1',
        '--outcome',
        'success',
        '--from',
        '2026-12-01T00:00:00Z',
        '--to',
        '2026-12-02T00:00:00Z',
        '--trace-id',
        '4bf92f3577b34da6a3ce929da0e4736a',
        '--command-id',
        '6f1c1c1e-7b43-4a4e-9a51-1f2d3c4b5a60',
        '--limit',
        '2',
      ],
      fetch,
    );
    expect(r.code).toBe(0);
    expect(fetch.requests).toHaveLength(1); // one page unless --all
    const q = new URL(`http://x${fetch.requests[0]!.path}`).searchParams;
    expect(fetch.requests[0]!.path).toMatch(/^\/audit\?/);
    expect(Object.fromEntries(q)).toEqual({
      actor: 'u-1',
      action: 'command.submit',
      resourceType: 'command',
      target: 'c-1',
      outcome: 'success',
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-02T00:00:00Z',
      traceId: '4bf92f3577b34da6a3ce929da0e4736a',
      commandId: '6f1c1c1e-7b43-4a4e-9a51-1f2d3c4b5a60',
      pageSize: '2',
    });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AT\s+ACTOR\s+ACTION\s+TARGET\s+OUTCOME\s+IP\s+TRACE$/);
    expect(lines[2]).toContain('key:k-1');
    expect(lines[2]).toContain('denied');
  });

  it('list --all follows the pages with the same filters; --json prints the entries', async () => {
    const fetch = fakeFetch((req) =>
      req.path.includes('pageToken=t1')
        ? { status: 200, body: { entries: [entry('2')], nextPageToken: null } }
        : { status: 200, body: { entries: [entry('1')], nextPageToken: 't1' } },
    );
    const r = await cli(['audit', 'list', '--all', '--outcome', 'denied', '--json'], fetch);
    expect(r.code).toBe(0);
    expect(fetch.requests.map((q) => q.path)).toEqual(['/audit?outcome=denied&pageSize=500', '/audit?outcome=denied&pageSize=500&pageToken=t1']);
    expect((JSON.parse(r.stdout) as { id: string }[]).map((e) => e.id)).toEqual(['1', '2']);
  });

  it('says so when nothing matches', async () => {
    const fetch = fakeFetch(() => ({ status: 200, body: { entries: [], nextPageToken: null } }));
    expect(await cli(['audit', 'list', '--actor', 'nobody'], fetch)).toEqual({ code: 0, stdout: 'no audit entries\n', stderr: '' });
  });

  it('export streams the body to stdout unchanged, chunk by chunk', async () => {
    const chunks = ['id,at,actor\r\n', '1,2026-12-01T09:00:00.000Z,"a,', 'b"\r\n', '2,2026-12-01T08:00:00.000Z,\r\n'];
    const fetch = streamingFetch(chunks);
    const r = await cli(['audit', 'export', '--format', 'csv', '--actor', 'u-1', '--from', '2026-12-01T00:00:00Z'], fetch);
    expect(r).toEqual({ code: 0, stdout: chunks.join(''), stderr: '' });
    expect(fetch.requests).toEqual([{ method: 'GET', path: '/audit/export?actor=u-1&from=2026-12-01T00%3A00%3A00Z&format=csv' }]);
  });

  it('export keeps multi-byte characters split across chunks intact', async () => {
    const bytes = new TextEncoder().encode('{"target":"café"}\n');
    const split = bytes.indexOf(0xc3) + 1;
    const fetch: FetchFn = () =>
      Promise.resolve(
        new Response(
          new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(bytes.slice(0, split));
              c.enqueue(bytes.slice(split));
              c.close();
            },
          }),
        ),
      );
    expect((await cli(['audit', 'export', '--format', 'ndjson'], fetch)).stdout).toBe('{"target":"café"}\n');
  });

  it('refuses a missing or unknown format and a bad outcome with exit 255, without calling the API', async () => {
    const fetch = fakeFetch(() => ({ status: 500 }));
    for (const args of [
      ['audit', 'export'],
      ['audit', 'export', '--format', 'xml'],
      ['audit', 'list', '--outcome', 'maybe'],
      ['audit', 'list', '--limit', '0'],
    ]) {
      const r = await cli(args, fetch);
      expect(r.code, args.join(' ')).toBe(255);
      expect(r.stderr).toMatch(/^fleetplane: /);
    }
    expect(fetch.requests).toHaveLength(0);
  });

  it('reports the gateway refusing a filter (400 naming it) or the caller (403) in one line, exit 255, nothing on stdout', async () => {
    const bad = fakeFetch(() => ({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'from: Invalid ISO datetime', field: 'from' } }));
    const r = await cli(['audit', 'export', '--format', 'csv', '--from', 'yesterday'], bad);
    expect(r.code).toBe(255);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fleetplane: bad request \(400\).*from/);
    const forbidden = fakeFetch(() => ({ status: 403, body: { statusCode: 403, error: 'Forbidden', message: 'requires role admin' } }));
    const f = await cli(['audit', 'list'], forbidden);
    expect(f.code).toBe(255);
    expect(f.stderr).toMatch(/^fleetplane: .*403/);
  });
});
