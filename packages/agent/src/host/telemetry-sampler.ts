import { statfs } from 'node:fs/promises';
import os from 'node:os';
import type { TelemetryFrame } from '@fleetplane/contracts';

type CpuTimes = { idle: number; total: number };

const cpuTimes = (): CpuTimes =>
  os.cpus().reduce(
    (acc, c) => {
      const t = c.times;
      return { idle: acc.idle + t.idle, total: acc.total + t.user + t.nice + t.sys + t.idle + t.irq };
    },
    { idle: 0, total: 0 },
  );

/** Host metrics for TELEMETRY; CPU % is measured between two samples (the first covers time since start-up). */
export class TelemetrySampler {
  private last = cpuTimes();

  constructor(private readonly diskPath = '/') {}

  async sample(): Promise<TelemetryFrame['sample']> {
    const now = cpuTimes();
    const total = now.total - this.last.total;
    const idle = now.idle - this.last.idle;
    this.last = now;
    const cpuPercent = total > 0 ? Math.min(100, Math.max(0, (100 * (total - idle)) / total)) : 0;
    const fs = await statfs(this.diskPath);
    const [l1 = 0, l5 = 0, l15 = 0] = os.loadavg();
    return {
      cpuPercent: Math.round(cpuPercent * 10) / 10,
      memoryUsedBytes: os.totalmem() - os.freemem(),
      memoryTotalBytes: os.totalmem(),
      load: [l1, l5, l15],
      diskUsedBytes: (fs.blocks - fs.bfree) * fs.bsize,
      diskTotalBytes: fs.blocks * fs.bsize,
      uptimeSeconds: os.uptime(),
    };
  }
}
