import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TelemetrySample } from '@fleetplane/contracts';
import { InjectRedis } from '@fleetplane/service-kit/redis';

// Redeliveries and several ingest instances may write out of order: keep a
// sample only if it is newer than the stored one, atomically.
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and tonumber(decoded.takenAtMs) >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

type StoredSample = TelemetrySample & { takenAtMs: number };

@Injectable()
export class LatestSampleRepository {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  private key(agentId: string): string {
    return `telemetry:latest:${agentId}`;
  }

  /** Returns false when a newer sample was already stored. */
  async saveIfNewer(sample: TelemetrySample, ttlSeconds: number): Promise<boolean> {
    const takenAtMs = Date.parse(sample.takenAt);
    const stored: StoredSample = { ...sample, takenAtMs };
    const result = await this.redis.eval(SET_IF_NEWER, 1, this.key(sample.agentId), JSON.stringify(stored), String(takenAtMs), String(ttlSeconds));
    return result === 1;
  }

  /**
   * Each agent's newest sample of a batch, in one round trip. Throws if any write failed, so the
   * batch is retried (the compare-and-set makes the retry harmless).
   */
  async saveNewest(samples: readonly TelemetrySample[], ttlSeconds: number): Promise<void> {
    if (samples.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const sample of samples) {
      const takenAtMs = Date.parse(sample.takenAt);
      pipeline.eval(SET_IF_NEWER, 1, this.key(sample.agentId), JSON.stringify({ ...sample, takenAtMs }), String(takenAtMs), String(ttlSeconds));
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0] as Error;
  }

  async latest(agentId: string): Promise<TelemetrySample | undefined> {
    const raw = await this.redis.get(this.key(agentId));
    if (!raw) return undefined;
    const { takenAtMs: _ignored, ...sample } = JSON.parse(raw) as StoredSample;
    return sample;
  }
}
