import { spawn } from 'node:child_process';
import { MAX_OUTPUT_BYTES, type ProcessSpec } from '@fleetplane/contracts';
import { CappedOutput } from './output-buffer.js';

export type ProcessStatus = 'COMPLETED' | 'FAILED' | 'TIMED_OUT';

export interface ProcessResult {
  status: ProcessStatus;
  exitCode?: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  error?: string;
}

export interface RunOptions {
  /** Each of stdout and stderr is cut to this many bytes. */
  maxOutputBytes?: number;
  /** Between SIGTERM and SIGKILL when the timeout strikes. */
  killGraceMs?: number;
  /** Called once the process is running (the agent reports RUNNING then). */
  onSpawn?: () => void;
  /** The child's environment before spec.env is applied; defaults to the agent's own. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Aborting stops the process group the same way a timeout does (the agent is shutting down). */
  signal?: AbortSignal;
}

/**
 * Runs an argv directly (never through a shell: every argument reaches the
 * program literally) in its own process group, so a timeout can stop the
 * whole tree: SIGTERM, then SIGKILL after a grace period.
 */
export function runProcess(spec: ProcessSpec, timeoutSeconds: number, opts: RunOptions = {}): Promise<ProcessResult> {
  const limit = opts.maxOutputBytes ?? MAX_OUTPUT_BYTES;
  const stdout = new CappedOutput(limit);
  const stderr = new CappedOutput(limit);
  const [command, ...args] = spec.argv;
  if (!command) return Promise.resolve({ status: 'FAILED', stdout: '', stderr: '', truncated: false, error: 'empty argv' });

  if (opts.signal?.aborted) return Promise.resolve({ status: 'FAILED', stdout: '', stderr: '', truncated: false, error: 'cancelled: the agent is stopping' });

  return new Promise((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(command, args, {
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
      env: { ...(opts.baseEnv ?? process.env), ...spec.env },
    });
    const finish = (r: Omit<ProcessResult, 'stdout' | 'stderr' | 'truncated'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ ...r, stdout: stdout.text(), stderr: stderr.text(), truncated: stdout.truncated || stderr.truncated });
    };
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const stopGroup = () => {
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), opts.killGraceMs ?? 5_000);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stopGroup();
    }, timeoutSeconds * 1_000);
    const onAbort = () => {
      cancelled = true;
      clearTimeout(timer);
      stopGroup();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    child.once('spawn', () => opts.onSpawn?.());
    child.once('error', (err) => finish({ status: 'FAILED', error: `cannot run ${command}: ${err.message}` }));
    child.once('close', (code, signal) => {
      if (cancelled) return finish({ status: 'FAILED', error: 'cancelled: the agent is stopping', ...(code !== null ? { exitCode: code } : {}) });
      if (timedOut) return finish({ status: 'TIMED_OUT', error: `killed after ${timeoutSeconds} s`, ...(code !== null ? { exitCode: code } : {}) });
      if (code === 0) return finish({ status: 'COMPLETED', exitCode: 0 });
      if (code !== null) return finish({ status: 'FAILED', exitCode: code });
      finish({ status: 'FAILED', error: `killed by ${signal}` });
    });
  });
}
