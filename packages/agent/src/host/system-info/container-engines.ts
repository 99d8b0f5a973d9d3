import { execFile } from 'node:child_process';
import type { SystemInfo } from '@fleetplane/contracts';
import { onPath } from '../inventory.js';

const ENGINES = ['docker', 'podman'] as const;

/** `Docker version 27.3.1, build ce12230` / `podman version 5.2.2` → the version; null when the output says none. */
export function parseEngineVersion(output: string): string | null {
  return /version\s+v?([0-9][^\s,]*)/i.exec(output)?.[1] ?? null;
}

/**
 * Each engine on PATH with its client version (`<engine> --version`, argv, no
 * shell, bounded by a timeout: a hung engine must not hold system.info up). The
 * client flag needs no running daemon.
 */
export async function containerEngines(env: NodeJS.ProcessEnv, timeoutMs = 3_000): Promise<SystemInfo['containerEngines']> {
  const found = ENGINES.filter((name) => onPath(name, env.PATH ?? ''));
  return Promise.all(
    found.map(
      (name) =>
        new Promise<SystemInfo['containerEngines'][number]>((resolve) => {
          execFile(name, ['--version'], { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 }, (err, stdout) =>
            resolve({ name, version: err ? null : parseEngineVersion(stdout) }),
          );
        }),
    ),
  );
}
