import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { agentIdSchema } from '@fleetplane/contracts';
import { DEFAULT_BACKOFF, ReconnectSchedule } from '../hub/backoff.js';

const enrollResponseSchema = z.object({
  agentId: agentIdSchema,
  credential: z.string().min(16).max(256),
  site: z.string().default(''),
  labels: z.record(z.string(), z.string()).default({}),
});
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;

/** A refusal the agent cannot fix by retrying (bad, used-up or expired token; the id is taken): it stops and says why. */
export class EnrollmentRefusedError extends Error {
  override readonly name = 'EnrollmentRefusedError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** agent-hub's enroll endpoint, on the same host and port as its WebSocket endpoint. */
export function enrollUrl(hubUrl: string): string {
  const url = new URL('/v1/enroll', hubUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return url.toString();
}

export interface EnrollOptions {
  hubUrl: string;
  enrollmentToken: string;
  agentId?: string;
  /** Called before each wait, for the log. */
  onRetry?: (delayMs: number, why: string) => void;
  fetch?: typeof fetch;
  wait?: (ms: number) => Promise<unknown>;
  /** Gives up after this many failed attempts (default: never: a hub being installed may come up late). */
  maxAttempts?: number;
  random?: () => number;
}

/**
 * POST /v1/enroll until it answers: a hub that is away (network error, 5xx)
 * or busy (503, whose Retry-After is a floor) is retried with the reconnect
 * schedule's jitter; a 4xx is final.
 */
export async function enrollWithToken(opts: EnrollOptions): Promise<EnrollResponse> {
  const doFetch = opts.fetch ?? fetch;
  const wait = opts.wait ?? sleep;
  const schedule = new ReconnectSchedule(DEFAULT_BACKOFF, opts.random);
  const body = JSON.stringify({ enrollmentToken: opts.enrollmentToken, ...(opts.agentId ? { agentId: opts.agentId } : {}) });
  for (let attempt = 1; ; attempt++) {
    let why: string;
    let retryAfterMs = 0;
    try {
      const res = await doFetch(enrollUrl(opts.hubUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.text();
      if (res.status === 201) return enrollResponseSchema.parse(JSON.parse(text));
      const message = messageOf(text) ?? `HTTP ${res.status}`;
      if (res.status < 500) throw new EnrollmentRefusedError(res.status, message);
      why = `${res.status} ${message}`;
      retryAfterMs = Number(res.headers.get('retry-after') ?? 0) * 1000 || 0;
    } catch (err) {
      if (err instanceof EnrollmentRefusedError) throw err;
      why = (err as Error).message;
    }
    if (opts.maxAttempts !== undefined && attempt >= opts.maxAttempts) throw new Error(`enrollment failed after ${attempt} attempts: ${why}`);
    const delay = retryAfterMs > 0 ? schedule.afterRefusal(retryAfterMs) : schedule.afterFailure();
    opts.onRetry?.(delay, why);
    await wait(delay);
  }
}

function messageOf(text: string): string | undefined {
  try {
    const m = (JSON.parse(text) as { message?: unknown }).message;
    return typeof m === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}
