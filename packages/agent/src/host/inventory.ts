import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import { delimiter, join } from 'node:path';
import { VERBS, type Hello } from '@fleetplane/contracts';

export const AGENT_VERSION = '0.1.0';

/** Whether an executable of this name is on PATH (what spawn would find). */
export function onPath(name: string, path = process.env.PATH ?? ''): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** The verbs this host can run: docker.* and compose.* only where a docker binary exists. */
export function capabilities(hasDocker: boolean): string[] {
  return VERBS.filter((v) => hasDocker || !(v.startsWith('docker.') || v.startsWith('compose.')));
}

export function inventory(site: string, labels: Record<string, string>, hasDocker = onPath('docker')): Hello['inventory'] {
  return {
    site,
    os: os.platform(),
    kernel: `${os.release()} ${os.version()}`.trim().slice(0, 256),
    version: AGENT_VERSION,
    capabilities: capabilities(hasDocker),
    containerEngine: hasDocker ? 'docker' : '',
    labels,
  };
}
