import { PassThrough } from 'node:stream';
import type { FetchFn } from '../api/client.js';
import { FILTER_STATES, type Command, type CommandSummary, type Execution } from '../api/schemas.js';

/** Collects what a command writes. */
export class MemoryWriter extends PassThrough {
  text = '';
  /** Sees every write (a fake terminal answers prompts through it). */
  onWrite?: (s: string) => unknown;
  override write(chunk: unknown, ...rest: unknown[]): boolean {
    this.text += String(chunk);
    this.onWrite?.(String(chunk));
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }
}

export interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (req: Recorded) => { status: number; body?: unknown; headers?: Record<string, string> };

/** A fetch answering from `handler`, recording every request (path relative to /api/v1). */
export function fakeFetch(handler: Handler): FetchFn & { requests: Recorded[] } {
  const requests: Recorded[] = [];
  const fn = (input: string, init: RequestInit): Promise<Response> => {
    const url = new URL(input);
    const req: Recorded = {
      method: init.method ?? 'GET',
      path: url.pathname.replace(/^\/api\/v1/, '') + url.search,
      headers: Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v])),
      // ApiClient sends JSON text or no body.
      body: typeof init.body === 'string' && init.body ? (JSON.parse(init.body) as unknown) : undefined,
    };
    requests.push(req);
    const r = handler(req);
    return Promise.resolve(new Response(r.body === undefined ? null : JSON.stringify(r.body), { status: r.status, headers: r.headers ?? {} }));
  };
  return Object.assign(fn, { requests });
}

export function execution(over: Partial<Execution> = {}): Execution {
  return {
    id: 'e1',
    commandId: 'c1',
    agentId: 'agent-1',
    state: 'COMPLETED',
    exitCode: 0,
    stdout: '',
    stderr: '',
    truncated: false,
    reason: null,
    error: null,
    attempts: 1,
    stdoutBytes: Buffer.byteLength(over.stdout ?? ''),
    stderrBytes: Buffer.byteLength(over.stderr ?? ''),
    dispatchedAt: null,
    startedAt: null,
    finishedAt: null,
    expiresAt: null,
    ...over,
  };
}

const ZERO_STATES = Object.fromEntries(FILTER_STATES.map((s) => [s, 0]));

/** A summary counting `executions` per state and exit code, as the command service aggregates it. */
export function summaryOf(executions: Execution[]): CommandSummary {
  const byState: Record<string, number> = { ...ZERO_STATES };
  const codes = new Map<number, number>();
  for (const e of executions) {
    byState[e.state] = (byState[e.state] ?? 0) + 1;
    if (e.exitCode !== null) codes.set(e.exitCode, (codes.get(e.exitCode) ?? 0) + 1);
  }
  return {
    targets: executions.length,
    byState,
    exitCodes: [...codes].sort(([a], [b]) => a - b).map(([exitCode, count]) => ({ exitCode, count })),
    firstErrors: executions.filter((e) => e.error).map((e) => ({ executionId: e.id, agentId: e.agentId, state: e.state, error: e.error! })),
    nonResponders: [],
    nonRespondersTotal: 0,
  };
}

export function command(over: Partial<Command> = {}): Command {
  return {
    id: 'c1',
    verb: 'exec',
    params: { argv: ['echo', 'hello'] },
    priority: 'normal',
    state: 'COMPLETED',
    requestedBy: 'u1',
    timeoutSeconds: 60,
    ttlSeconds: 3600,
    maxConcurrency: 0,
    maxErrors: null,
    selector: null,
    retryOf: null,
    endReason: null,
    cancelledAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: null,
    summary: summaryOf([execution()]),
    ...over,
  };
}

export interface FakeGatewayOptions {
  /** The finished command (its summary is made from `executions` unless given). */
  command?: Partial<Command>;
  executions?: Execution[];
  /** Answers of GET /commands/c1 before the finished one (RUNNING with a partial summary, …). */
  progress?: Partial<Command>[];
  /** Executions per page of GET …/executions. */
  pageSize?: number;
  /** Bytes per range of GET …/output. */
  rangeSize?: number;
}

/**
 * The commands API of the gateway for one command `c1`: submit answers it QUEUED, GET answers
 * each of `progress` then the finished command, executions are paged with page tokens, outputs
 * come from each execution's inline stdout/stderr in ranges, cancel and retry answer as the
 * gateway does. Every request is recorded (`requests`).
 */
export function fakeCommandGateway(opts: FakeGatewayOptions = {}) {
  const executions = opts.executions ?? [execution()];
  const done = command({ summary: summaryOf(executions), ...opts.command });
  const progress = [...(opts.progress ?? [])];
  const pageSize = opts.pageSize ?? 500;
  const rangeSize = opts.rangeSize ?? 1 << 20;
  return fakeFetch((req) => {
    const url = new URL(`http://x${req.path}`);
    const q = url.searchParams;
    const path = url.pathname;
    if (req.method === 'POST' && path === '/commands') return { status: 202, body: { ...done, state: 'QUEUED' } };
    if (req.method === 'GET' && path === '/commands/c1') return { status: 200, body: progress.length ? { ...done, ...progress.shift() } : done };
    if (req.method === 'GET' && path === '/commands/c1/executions') {
      const matching = executions.filter(
        (e) => (!q.get('state') || e.state === q.get('state')) && (!q.has('exitCode') || e.exitCode === Number(q.get('exitCode'))),
      );
      const start = Number(q.get('pageToken') ?? 0);
      const page = matching.slice(start, start + pageSize);
      return { status: 200, body: { executions: page, nextPageToken: start + pageSize < matching.length ? String(start + pageSize) : null } };
    }
    const output = /^\/commands\/c1\/executions\/([^/]+)\/output$/.exec(path);
    if (req.method === 'GET' && output) {
      const e = executions.find((x) => x.id === output[1]);
      if (!e) return { status: 404, body: { statusCode: 404, message: `execution ${output[1]} not found` } };
      // Only what was stored as chunks (the byte counts say how much); the inline summary alone is not.
      const all = Buffer.from(q.get('stream') === 'stderr' ? (e.stderrBytes > 0 ? e.stderr : '') : e.stdoutBytes > 0 ? e.stdout : '');
      const offset = Number(q.get('offset') ?? 0);
      const data = all.subarray(offset, offset + rangeSize);
      return {
        status: 200,
        body: { data: data.toString('base64'), offset, nextOffset: offset + data.length, storedBytes: all.length, truncated: e.truncated, complete: true },
      };
    }
    if (req.method === 'POST' && path === '/commands/c1/cancel')
      return { status: 202, body: { command: { ...done, state: 'CANCELLED' }, cancelled: 2, stopping: 1 } };
    const cancelOne = /^\/commands\/c1\/executions\/([^/]+)\/cancel$/.exec(path);
    if (req.method === 'POST' && cancelOne) return { status: 202, body: { execution: { ...execution({ id: cancelOne[1]! }), state: 'RUNNING' } } };
    if (req.method === 'POST' && path === '/commands/c1/retry') return { status: 201, body: { ...done, id: 'c2', retryOf: 'c1', state: 'QUEUED' } };
    return { status: 404, body: { statusCode: 404, message: `no route ${req.method} ${path}` } };
  });
}
