import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** A CLI that hangs (a wedged docker daemon) must not hold up the sample. */
const TIMEOUT_MS = 5_000;

export interface ContainerCounts {
  engine: string;
  total: number;
  running: number;
  unhealthy: number;
  restarting: number;
}

/**
 * Counts from `<engine> ps --all --format {{.State}}|{{.Status}}` (docker and podman print the
 * same): the state is running, restarting, exited…; the status carries "(unhealthy)" for a
 * failing health check.
 */
export function parseContainerList(engine: string, text: string): ContainerCounts {
  const c: ContainerCounts = { engine, total: 0, running: 0, unhealthy: 0, restarting: 0 };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [state = '', status = ''] = line.split('|');
    c.total++;
    if (state === 'running') c.running++;
    if (state === 'restarting') c.restarting++;
    if (/\(unhealthy\)/.test(status)) c.unhealthy++;
  }
  return c;
}

/** The engine's containers, run as argv (never a shell); undefined when the engine cannot answer. */
export async function collectContainers(engine: string): Promise<ContainerCounts | undefined> {
  try {
    const { stdout } = await run(engine, ['ps', '--all', '--format', '{{.State}}|{{.Status}}'], { timeout: TIMEOUT_MS });
    return parseContainerList(engine, stdout);
  } catch {
    return undefined;
  }
}

/** Unit names from `systemctl list-units --state=failed --no-legend --plain`, first column (a leading ● dropped, for systemds that print it anyway). */
export function parseFailedUnits(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/^\s*●?\s*/, '').split(/\s+/)[0] ?? '')
    .filter((u) => u !== '');
}

/** Failed systemd units; undefined where systemctl is missing or systemd is not running. */
export async function collectFailedUnits(): Promise<string[] | undefined> {
  try {
    const { stdout } = await run('systemctl', ['list-units', '--state=failed', '--no-legend', '--plain'], { timeout: TIMEOUT_MS });
    return parseFailedUnits(stdout);
  } catch {
    return undefined;
  }
}
