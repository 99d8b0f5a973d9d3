import { PassThrough } from 'node:stream';
import type { FetchFn } from '../api/client.js';
import type { CommandDetail, Execution } from '../api/schemas.js';

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
    stdoutBytes: 0,
    stderrBytes: 0,
    dispatchedAt: null,
    startedAt: null,
    finishedAt: null,
    expiresAt: null,
    ...over,
  };
}

/** A command with its executions, as the client's getCommand assembles it. */
export function command(over: Partial<CommandDetail> = {}): CommandDetail {
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
    summary: null,
    executions: [execution()],
    ...over,
  };
}
