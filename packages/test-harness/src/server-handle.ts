import { stopChild, trackTempDir, type Child } from './children.js';
import { removeDir } from './temp-dir.js';

export interface ServerHandle {
  url: string;
  port: number;
  /** Graceful stop (SIGKILL after 5 s), then removes the temp dirs the harness created. */
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Defaults to a free loopback port. */
  port?: number;
  /** Persistent data dir (kept on stop). Without it a temp dir is used and removed on stop. */
  dataDir?: string;
  /** Append the server's stdout+stderr to this file too. */
  logFile?: string;
}

const KILL_AFTER_MS = 5_000;

/** Temp dirs to delete on stop; registered with the exit hook so crashes clean up too. */
export class OwnedDirs {
  private readonly dirs: string[] = [];
  private readonly untrack: Array<() => void> = [];

  add(dir: string): string {
    this.dirs.push(dir);
    this.untrack.push(trackTempDir(dir));
    return dir;
  }

  async removeAll(): Promise<void> {
    await Promise.all(this.dirs.map((d) => removeDir(d)));
    for (const u of this.untrack) u();
  }
}

export function makeServerHandle(child: Child, url: string, port: number, owned: OwnedDirs, stopSignal: NodeJS.Signals = 'SIGTERM'): ServerHandle {
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    stop() {
      // Memoised so concurrent/double stop() calls (test + afterAll) are harmless.
      stopping ??= (async () => {
        await stopChild(child, stopSignal, KILL_AFTER_MS);
        await child.output.close();
        await owned.removeAll();
      })();
      return stopping;
    },
  };
}

/** Used when readiness fails: do not leave the half-started server behind. */
export async function abortStart(child: Child, owned: OwnedDirs): Promise<void> {
  await stopChild(child, 'SIGKILL', KILL_AFTER_MS);
  await child.output.close();
  await owned.removeAll();
}
