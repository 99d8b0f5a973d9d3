import { spawn } from 'node:child_process';
import { DEFAULT_CANCEL_GRACE_MS, MAX_OUTPUT_BYTES, RESULT_SUMMARY_TAIL_BYTES, type OutputStream, type ProcessSpec } from '@fleetplane/contracts';
import { CappedOutput, TailOutput } from './output-buffer.js';

export type ProcessStatus = 'COMPLETED' | 'FAILED' | 'TIMED_OUT' | 'CANCELLED';

/** After SIGKILL, how long the result waits at most for the group to disappear. */
const GROUP_EXIT_WAIT_MS = 2_000;

/** The reason a cancel signal is aborted with: how long SIGTERM gets before SIGKILL. */
export interface CancelReason {
  graceMs: number;
}

export interface ProcessResult {
  status: ProcessStatus;
  exitCode?: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  error?: string;
  /** The last `tailBytes` of each stream (the summary of a streamed result), and whether more came before. */
  tail: { stdout: string; stderr: string; truncated: boolean };
  /** Bytes written to each stream in total. */
  outputBytes: { stdout: number; stderr: number };
}

export interface RunOptions {
  /** Each of stdout and stderr is cut to this many bytes. */
  maxOutputBytes?: number;
  /** Between SIGTERM and SIGKILL when the timeout strikes. */
  killGraceMs?: number;
  /** Called once the process is running (the agent reports RUNNING then), with its pid (= its process group id). */
  onSpawn?: (pid: number) => void;
  /** The child's environment before spec.env is applied; defaults to the agent's own. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Aborting stops the process group the same way a timeout does (the agent is shutting down). */
  signal?: AbortSignal;
  /** A CANCEL: aborting (with a CancelReason) stops the process group and the result is CANCELLED. */
  cancel?: AbortSignal;
  /** Every chunk the process writes, as it comes (the agent streams them as OUTPUT). */
  onOutput?: (stream: OutputStream, chunk: Buffer) => void;
  /** Size of the tail kept per stream; default RESULT_SUMMARY_TAIL_BYTES. */
  tailBytes?: number;
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
  const tailOut = new TailOutput(opts.tailBytes ?? RESULT_SUMMARY_TAIL_BYTES);
  const tailErr = new TailOutput(opts.tailBytes ?? RESULT_SUMMARY_TAIL_BYTES);
  const [command, ...args] = spec.argv;
  const nothing = { stdout: '', stderr: '', truncated: false, tail: { stdout: '', stderr: '', truncated: false }, outputBytes: { stdout: 0, stderr: 0 } };
  if (!command) return Promise.resolve({ status: 'FAILED', ...nothing, error: 'empty argv' });

  if (opts.signal?.aborted) return Promise.resolve({ status: 'FAILED', ...nothing, error: 'cancelled: the agent is stopping' });
  if (opts.cancel?.aborted) return Promise.resolve({ status: 'CANCELLED', ...nothing, error: 'cancelled before it started' });

  return new Promise((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let cancelledByCommand = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(command, args, {
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
      env: { ...(opts.baseEnv ?? process.env), ...spec.env },
    });
    const finish = (r: Omit<ProcessResult, 'stdout' | 'stderr' | 'truncated' | 'tail' | 'outputBytes'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      opts.cancel?.removeEventListener('abort', onCancel);
      resolve({
        ...r,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.truncated || stderr.truncated,
        tail: { stdout: tailOut.text(), stderr: tailErr.text(), truncated: tailOut.truncated || tailErr.truncated },
        outputBytes: { stdout: tailOut.total, stderr: tailErr.total },
      });
    };
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    let stopGraceMs = 0;
    const stopGroup = (graceMs = opts.killGraceMs ?? 5_000) => {
      if (killTimer) return; // already stopping: the first grace period stands
      stopGraceMs = graceMs;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
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
    const onCancel = () => {
      cancelledByCommand = true;
      clearTimeout(timer);
      stopGroup((opts.cancel?.reason as CancelReason | undefined)?.graceMs ?? DEFAULT_CANCEL_GRACE_MS);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    opts.cancel?.addEventListener('abort', onCancel, { once: true });

    child.stdout.on('data', (c: Buffer) => {
      stdout.push(c);
      tailOut.push(c);
      opts.onOutput?.('stdout', c);
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr.push(c);
      tailErr.push(c);
      opts.onOutput?.('stderr', c);
    });
    child.once('spawn', () => opts.onSpawn?.(child.pid!));
    child.once('error', (err) => finish({ status: 'FAILED', error: `cannot run ${command}: ${err.message}` }));
    child.once('close', (code, signal) => {
      // The pipes closed, but a member of the group that let go of them (`cmd >/dev/null &`) may
      // still run: when stopping, the result waits until the whole group is gone (SIGKILL at the
      // end of the grace period takes the rest).
      if (killTimer && groupAlive()) return void waitForGroupExit().then(() => settle(code, signal));
      settle(code, signal);
    });
    const groupAlive = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 0);
        return child.pid !== undefined;
      } catch {
        return false;
      }
    };
    // Bounded: a member SIGKILL cannot reach (a zombie nobody reaps, in a container whose init does
    // not wait) still answers kill(-pgid, 0); the result must not wait for it forever.
    const waitForGroupExit = async () => {
      const deadline = Date.now() + stopGraceMs + GROUP_EXIT_WAIT_MS;
      while (groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      if (cancelledByCommand) return finish({ status: 'CANCELLED', error: 'cancelled', ...(code !== null ? { exitCode: code } : {}) });
      if (cancelled) return finish({ status: 'FAILED', error: 'cancelled: the agent is stopping', ...(code !== null ? { exitCode: code } : {}) });
      if (timedOut) return finish({ status: 'TIMED_OUT', error: `killed after ${timeoutSeconds} s`, ...(code !== null ? { exitCode: code } : {}) });
      if (code === 0) return finish({ status: 'COMPLETED', exitCode: 0 });
      if (code !== null) return finish({ status: 'FAILED', exitCode: code });
      finish({ status: 'FAILED', error: `killed by ${signal}` });
    };
  });
}
