import { readFile, statfs as fsStatfs } from 'node:fs/promises';
import os from 'node:os';
import type { TelemetryFrame } from '@fleetplane/contracts';
import { collectContainers, collectFailedUnits, type ContainerCounts } from './engine-collectors.js';
import { onPath } from './inventory.js';
import { busyPercent, parseMeminfo, parseMounts, parseNetDev, parseProcStat, type CpuTicks } from './proc-parsers.js';

type Sample = TelemetryFrame['sample'];
type StatfsFn = (path: string) => Promise<{ blocks: number; bfree: number; bsize: number }>;

export interface SamplerOptions {
  /** Where procfs is: a fixture directory in tests. */
  procRoot?: string;
  /** The path whose filesystem is the sample's single disk figure (older hubs read only that). */
  diskPath?: string;
  statfs?: StatfsFn;
  /** The container engine's CLI (`docker`, `podman`), or '' for none; default: docker when it is on PATH (as HELLO announces). */
  containerEngine?: string;
  containers?: (engine: string) => Promise<ContainerCounts | undefined>;
  failedUnits?: () => Promise<string[] | undefined>;
  nowMs?: () => number;
}

const readOr = (path: string) => readFile(path, 'utf8').catch(() => undefined);
const MAX_MOUNTS = 64;
const MAX_INTERFACES = 64;

/**
 * Host metrics for TELEMETRY on Linux, from procfs: CPU total and per core (busy time between two
 * samples; the first covers time since boot), memory and swap, load, uptime, every real mount,
 * network bytes and rates per interface, containers from the engine's CLI and failed systemd
 * units. Each part is left out (the field stays optional) where the host cannot give it, so the
 * agent still samples on a host without /proc, docker or systemd.
 */
export class TelemetrySampler {
  private readonly procRoot: string;
  private readonly diskPath: string;
  private readonly statfs: StatfsFn;
  private readonly engine: string;
  private readonly containers: (engine: string) => Promise<ContainerCounts | undefined>;
  private readonly failedUnits: () => Promise<string[] | undefined>;
  private readonly nowMs: () => number;
  private lastCpu?: { total: CpuTicks; cores: CpuTicks[] };
  private lastNet?: { atMs: number; byName: Map<string, { rxBytes: number; txBytes: number }> };

  constructor(opts: SamplerOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.diskPath = opts.diskPath ?? '/';
    this.statfs = opts.statfs ?? ((p) => fsStatfs(p));
    this.engine = opts.containerEngine ?? (onPath('docker') ? 'docker' : '');
    this.containers = opts.containers ?? collectContainers;
    this.failedUnits = opts.failedUnits ?? collectFailedUnits;
    this.nowMs = opts.nowMs ?? Date.now;
  }

  async sample(): Promise<Sample> {
    const [stat, meminfo, netDev, mounts, containers, failedUnits] = await Promise.all([
      readOr(`${this.procRoot}/stat`),
      readOr(`${this.procRoot}/meminfo`),
      readOr(`${this.procRoot}/net/dev`),
      readOr(`${this.procRoot}/self/mounts`),
      this.engine ? this.containers(this.engine) : Promise.resolve(undefined),
      this.failedUnits(),
    ]);
    const fs = await this.statfs(this.diskPath);
    const [l1 = 0, l5 = 0, l15 = 0] = os.loadavg();
    const sample: Sample = {
      cpuPercent: 0,
      memoryUsedBytes: os.totalmem() - os.freemem(),
      memoryTotalBytes: os.totalmem(),
      load: [l1, l5, l15],
      diskUsedBytes: (fs.blocks - fs.bfree) * fs.bsize,
      diskTotalBytes: fs.blocks * fs.bsize,
      uptimeSeconds: os.uptime(),
    };
    if (stat) Object.assign(sample, this.cpu(stat));
    if (meminfo) {
      const m = parseMeminfo(meminfo);
      if (m.memTotal > 0) Object.assign(sample, { memoryTotalBytes: m.memTotal, memoryUsedBytes: Math.max(0, m.memTotal - m.memAvailable) });
      Object.assign(sample, { swapTotalBytes: m.swapTotal, swapUsedBytes: Math.max(0, m.swapTotal - m.swapFree) });
    }
    if (netDev) sample.interfaces = this.network(netDev);
    if (mounts) sample.mounts = await this.mountUse(mounts);
    if (containers) sample.containers = containers;
    if (failedUnits) sample.failedUnits = failedUnits.slice(0, 1024);
    return sample;
  }

  private cpu(stat: string): Pick<Sample, 'cpuPercent' | 'cpuCores'> {
    const now = parseProcStat(stat);
    const prev = this.lastCpu ?? { total: { busy: 0, total: 0 }, cores: [] };
    this.lastCpu = now;
    return {
      cpuPercent: busyPercent(prev.total, now.total),
      cpuCores: now.cores.slice(0, 1024).map((c, i) => busyPercent(prev.cores[i] ?? { busy: 0, total: 0 }, c)),
    };
  }

  /** Rates over the time since the previous sample; none on the first. A counter that went back (reboot, wrap) gives no rate. */
  private network(text: string): NonNullable<Sample['interfaces']> {
    const atMs = this.nowMs();
    const counters = parseNetDev(text).slice(0, MAX_INTERFACES);
    const prev = this.lastNet;
    this.lastNet = { atMs, byName: new Map(counters.map((c) => [c.name, c])) };
    const seconds = prev ? (atMs - prev.atMs) / 1000 : 0;
    return counters.map((c) => {
      const before = prev?.byName.get(c.name);
      if (!before || seconds <= 0 || c.rxBytes < before.rxBytes || c.txBytes < before.txBytes) return c;
      return { ...c, rxBytesPerSecond: (c.rxBytes - before.rxBytes) / seconds, txBytesPerSecond: (c.txBytes - before.txBytes) / seconds };
    });
  }

  private async mountUse(text: string): Promise<NonNullable<Sample['mounts']>> {
    const found = parseMounts(text).slice(0, MAX_MOUNTS);
    const used = await Promise.all(
      found.map(async (m) => {
        try {
          const s = await this.statfs(m.mount);
          return { mount: m.mount.slice(0, 1024), fsType: m.fsType, usedBytes: (s.blocks - s.bfree) * s.bsize, totalBytes: s.blocks * s.bsize };
        } catch {
          // Unmounted meanwhile, or not ours to read (a stale NFS mount): left out of this sample.
          return undefined;
        }
      }),
    );
    return used.filter((m): m is NonNullable<typeof m> => m !== undefined);
  }
}
