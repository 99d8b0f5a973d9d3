import { setTimeout as sleep } from 'node:timers/promises';
import { describeExit, spawnChild, stopChild, type Child } from './children.js';
import { OutputBuffer } from './output-buffer.js';

export interface ManagedProcess {
  name: string;
  pid: number;
  /** Combined stdout+stderr so far (last ~200 KB). */
  output(): string;
  /** Resolves when the output matches `re`; rejects if the process exits first or on timeout. */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<void>;
  /** Polls `url` until it answers 2xx; rejects if the process exits first or on timeout. */
  waitForHttp(url: string, timeoutMs?: number): Promise<void>;
  /** Resolves the exit code once the process exits by itself (null if killed by a signal); rejects on timeout. */
  waitForExit(timeoutMs?: number): Promise<number | null>;
  /** Sends `signal` (default SIGTERM), SIGKILL after 10 s; resolves the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnProcessOptions {
  /** Added on top of a minimal base (PATH, HOME, TMPDIR, LANG, TZ); the test runner's own env is not inherited. */
  env: Record<string, string>;
  cwd?: string;
  /** Also append everything the process writes to this file (make up keeps per-service logs). */
  logFile?: string;
}

const DEFAULT_WAIT_MS = 20_000;
const KILL_AFTER_MS = 10_000;
// Services must not pick up the runner's env (VITEST*, NODE_OPTIONS, stray OTEL_* ...),
// only what a shell would minimally give them plus what the test says.
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

function exitedError(name: string, child: Child, waitingFor: string): Error {
  const how = child.exit ? describeExit(child.exit) : 'exited';
  return new Error(`${name} ${how} while waiting for ${waitingFor}; output:\n${child.output.tail()}`);
}

/** Runs a service as its own OS process (never through a shell). */
export function spawnProcess(name: string, command: string, args: string[], opts: SpawnProcessOptions): ManagedProcess {
  const output = new OutputBuffer(opts.logFile);
  const child = spawnChild(command, args, { env: { ...baseEnv(), ...opts.env }, ...(opts.cwd ? { cwd: opts.cwd } : {}) }, output);

  return {
    name,
    pid: child.proc.pid ?? -1,
    output: () => output.all(),

    waitForOutput(re, timeoutMs = DEFAULT_WAIT_MS) {
      return new Promise<void>((resolve, reject) => {
        const matches = (): boolean => {
          re.lastIndex = 0; // a /g or /y regex keeps state between test() calls
          return re.test(output.all());
        };
        if (matches()) return resolve();
        const cleanup = (): void => {
          unsubscribe();
          clearTimeout(timer);
        };
        const unsubscribe = output.onAppend(() => {
          if (matches()) {
            cleanup();
            resolve();
          }
        });
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name}: output did not match ${re} within ${timeoutMs} ms; output:\n${output.tail()}`));
        }, timeoutMs);
        void child.exited.then(() => {
          cleanup();
          // The last line may arrive together with the exit; check once more.
          if (matches()) resolve();
          else reject(exitedError(name, child, `output matching ${re}`));
        });
      });
    },

    async waitForHttp(url, timeoutMs = DEFAULT_WAIT_MS) {
      const deadline = Date.now() + timeoutMs;
      let last: string;
      for (;;) {
        if (child.exit) throw exitedError(name, child, `HTTP 2xx from ${url}`);
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
          await res.body?.cancel();
          if (res.ok) return;
          last = `HTTP ${res.status}`;
        } catch (err) {
          last = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
        }
        if (Date.now() >= deadline) {
          throw new Error(`${name}: ${url} gave no 2xx within ${timeoutMs} ms (last: ${last}); output:\n${output.tail()}`);
        }
        await sleep(100);
      }
    },

    async waitForExit(timeoutMs = DEFAULT_WAIT_MS) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} still running after ${timeoutMs} ms; output:\n${output.tail()}`)), timeoutMs);
      });
      try {
        return (await Promise.race([child.exited, timeout])).code;
      } finally {
        clearTimeout(timer);
      }
    },

    async stop(signal = 'SIGTERM') {
      const exit = await stopChild(child, signal, KILL_AFTER_MS);
      return exit.code;
    },
  };
}
