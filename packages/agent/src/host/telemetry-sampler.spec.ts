import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { telemetrySchema } from '@fleetplane/contracts';
import { TelemetrySampler } from './telemetry-sampler.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const dirs: string[] = [];

/** A procfs of fixture files: stat, meminfo, net/dev, self/mounts. */
function fakeProc(stat: string, netDev: string): string {
  const root = mkdtempSync(join(tmpdir(), 'fake-proc-'));
  dirs.push(root);
  mkdirSync(join(root, 'net'));
  mkdirSync(join(root, 'self'));
  cpSync(join(fixtures, stat), join(root, 'stat'));
  cpSync(join(fixtures, 'meminfo.txt'), join(root, 'meminfo'));
  cpSync(join(fixtures, netDev), join(root, 'net/dev'));
  cpSync(join(fixtures, 'mounts.txt'), join(root, 'self/mounts'));
  return root;
}

afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe(TelemetrySampler.name, () => {
  it('produces a sample the protocol accepts, with real host figures', async () => {
    const sample = await new TelemetrySampler().sample();
    expect(telemetrySchema.shape.sample.parse(sample)).toEqual(sample);
    expect(sample.memoryTotalBytes).toBeGreaterThan(0);
    expect(sample.diskTotalBytes).toBeGreaterThan(0);
    expect(sample.diskUsedBytes).toBeLessThanOrEqual(sample.diskTotalBytes);
  });

  it('reads CPU per core, memory and swap, mounts and network rates from procfs, and the engine and systemd collectors', async () => {
    const root = fakeProc('proc-stat.txt', 'net-dev.txt');
    let now = 1_000_000;
    const statfs = (p: string) => Promise.resolve(p === '/srv/my data' ? { blocks: 100, bfree: 10, bsize: 4096 } : { blocks: 1000, bfree: 500, bsize: 4096 });
    const sampler = new TelemetrySampler({
      procRoot: root,
      statfs,
      nowMs: () => now,
      containerEngine: 'docker',
      containers: (engine) => Promise.resolve({ engine, total: 2, running: 1, unhealthy: 1, restarting: 0 }),
      failedUnits: () => Promise.resolve(['nginx.service']),
    });
    const first = await sampler.sample();
    expect(first).toMatchObject({
      memoryTotalBytes: 8_192_000_000,
      memoryUsedBytes: 2_048_000_000,
      swapTotalBytes: 2_048_000_000,
      swapUsedBytes: 512_000_000,
      mounts: [
        { mount: '/', fsType: 'ext4', usedBytes: 500 * 4096, totalBytes: 1000 * 4096 },
        { mount: '/srv/my data', fsType: 'xfs', usedBytes: 90 * 4096, totalBytes: 100 * 4096 },
      ],
      containers: { engine: 'docker', unhealthy: 1 },
      failedUnits: ['nginx.service'],
    });
    // No rate before a second reading.
    expect(first.interfaces![0]).toEqual({ name: 'eth0', rxBytes: 1_000_000, txBytes: 2_000_000 });

    // Ten seconds later: new counters and CPU ticks.
    cpSync(join(fixtures, 'proc-stat-later.txt'), join(root, 'stat'));
    writeFileSync(join(root, 'net/dev'), 'h1\nh2\n  eth0: 1100000 0 0 0 0 0 0 0 2050000 0 0 0 0 0 0 0\nwlan0: 400 0 0 0 0 0 0 0 700 0 0 0 0 0 0 0\n');
    now += 10_000;
    const second = await sampler.sample();
    expect(second.cpuPercent).toBe(55.6);
    expect(second.cpuCores).toEqual([88.9, 22.2]);
    expect(second.interfaces![0]).toEqual({ name: 'eth0', rxBytes: 1_100_000, txBytes: 2_050_000, rxBytesPerSecond: 10_000, txBytesPerSecond: 5_000 });
    // wlan0's counter went back (a reset): no rate rather than a negative one.
    expect(second.interfaces![1]).toEqual({ name: 'wlan0', rxBytes: 400, txBytes: 700 });
    expect(telemetrySchema.shape.sample.parse(second)).toEqual(second);
  });

  it('still samples where there is no procfs, engine or systemd', async () => {
    const sample = await new TelemetrySampler({ procRoot: '/nonexistent', containerEngine: '', failedUnits: () => Promise.resolve(undefined) }).sample();
    expect(sample.interfaces).toBeUndefined();
    expect(sample.containers).toBeUndefined();
    expect(sample.failedUnits).toBeUndefined();
    expect(telemetrySchema.shape.sample.parse(sample)).toEqual(sample);
  });
});
