import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';
import { OutputBuffer } from './output-buffer.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  proc: ChildProcess;
  output: OutputBuffer;
  /** Settles once the process has exited (never rejects). */
  exited: Promise<Exit>;
  /** Set as soon as the process has exited. */
  exit: Exit | undefined;
}

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let hookInstalled = false;

/**
 * A crashed or aborted test run must not leave servers holding ports and
 * disk, so whatever is still tracked at exit is SIGKILLed. 'exit' handlers
 * must be synchronous, hence kill + rmSync.
 */
function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.on('exit', () => {
    for (const proc of live) {
      try {
        proc.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of tempDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort; a server may still hold files open for a moment
      }
    }
  });
}

/** Temp dirs registered here are removed by the exit hook if nobody stopped their server. */
export function trackTempDir(dir: string): () => void {
  installExitHook();
  tempDirs.add(dir);
  return () => tempDirs.delete(dir);
}

/** Spawns a tracked child (never through a shell) and captures stdout+stderr. */
export function spawnChild(command: string, args: string[], options: Omit<SpawnOptions, 'stdio' | 'shell'>, output: OutputBuffer): Child {
  installExitHook();
  const proc = spawn(command, args, { ...options, shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  proc.stdout?.on('data', (c: Buffer) => output.append(c));
  proc.stderr?.on('data', (c: Buffer) => output.append(c));
  const child: Child = {
    proc,
    output,
    exit: undefined,
    exited: new Promise<Exit>((resolve) => {
      const done = (exit: Exit): void => {
        live.delete(proc);
        if (!child.exit) child.exit = exit;
        resolve(child.exit);
      };
      // 'close' waits for the stdio pipes to drain, so the output is complete.
      proc.once('close', (code, signal) => done({ code, signal }));
      proc.once('error', (err) => {
        output.append(`\n[spawn error] ${err.message}\n`);
        // A spawn failure (ENOENT, EACCES) emits no 'close' when no pipes were opened.
        if (proc.pid === undefined) done({ code: null, signal: null });
      });
    }),
  };
  return child;
}

/**
 * Graceful stop: send `signal`, wait for exit, SIGKILL after `killAfterMs`.
 * Safe to call more than once and after the child already exited.
 */
export async function stopChild(child: Child, signal: NodeJS.Signals, killAfterMs: number): Promise<Exit> {
  if (child.exit) return child.exit;
  try {
    child.proc.kill(signal);
  } catch {
    // exited between the check and the kill
  }
  const timer = setTimeout(() => {
    try {
      child.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }, killAfterMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

export function describeExit(exit: Exit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}
