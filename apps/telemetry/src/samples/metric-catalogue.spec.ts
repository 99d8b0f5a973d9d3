import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TelemetrySample } from '@fleetplane/contracts';
import { METRICS, metricValues } from './metric-catalogue.js';

const base: TelemetrySample = {
  agentId: 'a',
  takenAt: '2026-12-01T00:00:00.000Z',
  cpuPercent: 12,
  memoryUsedBytes: 1,
  memoryTotalBytes: 4,
  load: [1, 2, 3],
  diskUsedBytes: 30,
  diskTotalBytes: 100,
  uptimeSeconds: 5,
};

describe('metric catalogue', () => {
  it('derives every metric of a full sample', () => {
    expect(
      metricValues({
        ...base,
        swapUsedBytes: 1,
        swapTotalBytes: 2,
        mounts: [
          { mount: '/', usedBytes: 1, totalBytes: 10 },
          { mount: '/data', usedBytes: 8, totalBytes: 10 },
        ],
        interfaces: [
          { name: 'eth0', rxBytes: 0, txBytes: 0, rxBytesPerSecond: 3, txBytesPerSecond: 4 },
          { name: 'eth1', rxBytes: 0, txBytes: 0, rxBytesPerSecond: 1, txBytesPerSecond: 1 },
        ],
        containers: { engine: 'docker', total: 2, running: 1, unhealthy: 1, restarting: 0 },
        failedUnits: ['a.service', 'b.service'],
      }),
    ).toEqual({
      cpu_percent: 12,
      memory_percent: 25,
      swap_percent: 50,
      disk_percent: 80,
      load1: 1,
      load5: 2,
      load15: 3,
      net_rx_bytes_per_second: 4,
      net_tx_bytes_per_second: 5,
      containers_unhealthy: 1,
      failed_units: 2,
    });
  });

  it('leaves a metric null when an older agent does not send what it needs, and uses the single disk figure without mounts', () => {
    const v = metricValues({ ...base, memoryTotalBytes: 0, interfaces: [{ name: 'eth0', rxBytes: 0, txBytes: 0 }] });
    expect(v).toMatchObject({
      memory_percent: null,
      swap_percent: null,
      disk_percent: 30,
      net_rx_bytes_per_second: null,
      containers_unhealthy: null,
      failed_units: null,
    });
  });

  it('is what the Prisma schema and the first migration spell out, column for column', () => {
    const schema = readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
    const migrationDir = new URL('../../prisma/migrations/', import.meta.url);
    const init = readFileSync(new URL('20261201124102_init/migration.sql', migrationDir), 'utf8');
    for (const m of METRICS) {
      expect(schema).toContain(`@map("${m}")`);
      expect(init).toContain(`"${m}" DOUBLE PRECISION`);
      for (const p of ['sum', 'count', 'min', 'max', 'last']) {
        expect(schema).toContain(`@map("${m}_${p}")`);
        expect(init).toContain(`"${m}_${p}"`);
      }
    }
    expect((schema.match(/@map\("[a-z0-9_]+_last"\)/g) ?? []).length).toBe(2 * METRICS.length);
  });
});
