import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/** What the hub needs of its environment this early, read without the config schema (zod is not loaded yet). */
export interface StartingListenerEnv {
  HTTP_HOST?: string;
  HTTP_PORT?: string;
  ADMISSION_RETRY_AFTER_MS?: string;
}

/** The agents' port, held by a bare HTTP server until the hub takes it over. */
export interface HeldPort {
  /** Stops answering and frees the port for the hub; resolves with how many upgrades were refused meanwhile. */
  release(): Promise<number>;
}

/** What the worker is told, and what it says: `listening`, `failed` (port not taken), then `released`. */
export interface StartingListenerOptions {
  host: string;
  port: number;
  retryAfterMs: number;
}
export type StartingListenerMessage = { kind: 'listening' } | { kind: 'failed'; error: string } | { kind: 'released'; refused: number };

const int = (v: string | undefined, fallback: number): number => (v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback);

/**
 * Holds the agents' port while the hub loads its modules and connects (seconds
 * on a busy host), answering every upgrade with 503 `not ready` and the
 * retry-after hint, and every request with 503. Without it, a restarted hub's
 * port refuses connections until Nest listens, and each refused attempt grows
 * an agent's backoff (up to 30 s): after a kill -9 the fleet then came back far
 * slower than the hub could take it. With it, the fleet waits the hint instead.
 *
 * In a worker thread: loading the hub's modules keeps the main thread busy for
 * seconds at a time (synchronous compilation of Nest, Prisma, gRPC), and a
 * listener there would only queue the connections. The worker gets no
 * `--import` (execArgv empty): it loads `node:http` and the refusal, nothing
 * else. Resolves undefined when the port cannot be taken here (the hub goes on
 * without it; its own listen then reports why).
 */
export async function holdPortWhileStarting(env: StartingListenerEnv): Promise<HeldPort | undefined> {
  const options: StartingListenerOptions = {
    host: env.HTTP_HOST ?? '127.0.0.1',
    port: int(env.HTTP_PORT, 4100),
    retryAfterMs: int(env.ADMISSION_RETRY_AFTER_MS, 5_000),
  };
  const worker = new Worker(new URL('./starting-listener.worker.js', import.meta.url), { workerData: options, execArgv: [], env: {} });
  const [first] = (await once(worker, 'message')) as [StartingListenerMessage];
  if (first.kind !== 'listening') {
    await worker.terminate();
    return undefined;
  }
  // The hub must be able to exit (a config error) while the worker still holds the port.
  worker.unref();
  return {
    async release() {
      const released = once(worker, 'message') as Promise<[StartingListenerMessage]>;
      worker.postMessage('release');
      const [msg] = await released;
      await worker.terminate();
      return msg.kind === 'released' ? msg.refused : 0;
    },
  };
}
