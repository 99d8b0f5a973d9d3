import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { SystemInfo } from '@fleetplane/contracts';
import { containerEngines } from './container-engines.js';
import { networkFacts } from './network-facts.js';
import { parseMeminfo } from './parse-meminfo.js';
import { parseMounts } from './parse-mounts.js';
import { parseOsRelease } from './parse-os-release.js';

export interface SystemInfoSources {
  /** The environment whose PATH finds docker/podman (the agent's child environment). */
  env: NodeJS.ProcessEnv;
  /** Where /etc and /proc are read from: `/`, or a fixture directory in tests. */
  root?: string;
  statfs?: (path: string) => Promise<{ blocks: number; bfree: number; bavail: number; bsize: number }>;
  networkInterfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  engineTimeoutMs?: number;
  now?: () => Date;
}

const readOr = (path: string, fallback = ''): Promise<string> => readFile(path, 'utf8').catch(() => fallback);

/** The system.info document, collected in-process (node:os, /proc, /etc/os-release, statfs); a part the host cannot tell is empty. */
export async function collectSystemInfo(src: SystemInfoSources): Promise<SystemInfo> {
  const root = src.root ?? '/';
  const fsStat = src.statfs ?? statfs;
  const [osRelease, meminfo, mounts, engines] = await Promise.all([
    readOr(join(root, 'etc/os-release')).then(async (t) => t || readOr(join(root, 'usr/lib/os-release'))),
    readOr(join(root, 'proc/meminfo')),
    readOr(join(root, 'proc/mounts')),
    containerEngines(src.env, src.engineTimeoutMs),
  ]);
  const disks = await Promise.all(
    parseMounts(mounts).map(async (m) => {
      const s = await fsStat(m.mount).catch(() => undefined);
      if (!s) return undefined;
      return {
        ...m,
        sizeBytes: s.blocks * s.bsize,
        usedBytes: (s.blocks - s.bfree) * s.bsize,
        availableBytes: s.bavail * s.bsize,
      };
    }),
  );
  const cpus = os.cpus();
  return {
    collectedAt: (src.now?.() ?? new Date()).toISOString(),
    hostname: os.hostname(),
    os: { platform: os.platform(), ...parseOsRelease(osRelease) },
    kernel: { release: os.release(), version: os.version() },
    architecture: os.machine(),
    cpu: { model: cpus[0]?.model.trim() ?? '', count: os.availableParallelism() },
    memory: parseMeminfo(meminfo) ?? { totalBytes: os.totalmem(), availableBytes: os.freemem() },
    disks: disks.filter((d) => d !== undefined),
    network: networkFacts((src.networkInterfaces ?? os.networkInterfaces)()),
    uptimeSeconds: os.uptime(),
    containerEngines: engines,
  };
}
