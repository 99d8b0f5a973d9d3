import { describe, expect, it } from 'vitest';
import { telemetrySchema } from '@fleetplane/contracts';
import { TelemetrySampler } from './telemetry-sampler.js';

describe(TelemetrySampler.name, () => {
  it('produces a sample the protocol accepts, with real host figures', async () => {
    const s = new TelemetrySampler();
    const sample = await s.sample();
    expect(telemetrySchema.shape.sample.parse(sample)).toEqual(sample);
    expect(sample.memoryTotalBytes).toBeGreaterThan(0);
    expect(sample.diskTotalBytes).toBeGreaterThan(0);
    expect(sample.diskUsedBytes).toBeLessThanOrEqual(sample.diskTotalBytes);
  });
});
