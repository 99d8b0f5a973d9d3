import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { InjectConfig } from '@fleetplane/service-kit';
import { InjectRedis } from '@fleetplane/service-kit/redis';
import type { TileWorkerConfig } from '../config.js';
import type { CacheTier } from '../metrics/tile-metrics.js';
import { TileMetrics } from '../metrics/tile-metrics.js';
import { KEY_PREFIX } from '../queue/jobs.js';

/** A cached result: the outputs as JSON text (what a job stores) and their row count. */
export interface CachedResult {
  readonly json: string;
  readonly rowsOut: number;
}

interface TierCounts {
  hits: number;
  misses: number;
  evictions: number;
}

const redisKey = (key: string) => `${KEY_PREFIX}:cache:${key}`;

/** The result cache key: the program's canonical hash plus the fingerprint of the data it ran over. */
export const resultKey = (programHash: string, sourceFingerprint: string) => `${programHash}:${sourceFingerprint}`;

/**
 * Two tiers of job results. In-process: lru-cache with a byte budget
 * (CACHE_MEMORY_BYTES, each entry sized by its JSON length) and a TTL, for
 * repeats on this instance. Shared: Redis with a TTL, so another instance
 * reuses a result; a Redis hit fills the in-process tier. A Redis error is
 * not swallowed: the job's own record lives in the same Redis, so the job
 * is retried later rather than recomputed against a cache that is away.
 */
@Injectable()
export class ResultCache {
  private readonly memory?: LRUCache<string, CachedResult>;
  private readonly counts: Record<CacheTier, TierCounts> = {
    memory: { hits: 0, misses: 0, evictions: 0 },
    redis: { hits: 0, misses: 0, evictions: 0 },
  };
  private readonly redisTtl: number;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @InjectConfig() config: Pick<TileWorkerConfig, 'CACHE_MEMORY_BYTES' | 'CACHE_MEMORY_TTL_SECONDS' | 'CACHE_REDIS_TTL_SECONDS'>,
    @Inject(TileMetrics) private readonly metrics: TileMetrics,
  ) {
    this.redisTtl = config.CACHE_REDIS_TTL_SECONDS;
    if (config.CACHE_MEMORY_BYTES > 0) {
      this.memory = new LRUCache<string, CachedResult>({
        maxSize: config.CACHE_MEMORY_BYTES,
        sizeCalculation: (v) => Math.max(1, v.json.length),
        ttl: config.CACHE_MEMORY_TTL_SECONDS * 1000,
        dispose: (_v, _k, reason) => {
          if (reason !== 'evict') return;
          this.counts.memory.evictions++;
          this.metrics.cacheEvicted();
        },
      });
    }
  }

  async get(key: string): Promise<(CachedResult & { tier: CacheTier }) | undefined> {
    const local = this.memory?.get(key);
    this.count('memory', local !== undefined);
    if (local) return { ...local, tier: 'memory' };
    if (this.redisTtl === 0) return undefined;
    const [json, rows] = await this.redis.hmget(redisKey(key), 'json', 'rows');
    const hit = typeof json === 'string' && typeof rows === 'string';
    this.count('redis', hit);
    if (!hit) return undefined;
    const entry = { json, rowsOut: Number(rows) };
    this.memory?.set(key, entry);
    return { ...entry, tier: 'redis' };
  }

  async set(key: string, entry: CachedResult): Promise<void> {
    this.memory?.set(key, entry);
    if (this.redisTtl === 0) return;
    await this.redis.multi().hset(redisKey(key), 'json', entry.json, 'rows', String(entry.rowsOut)).expire(redisKey(key), this.redisTtl).exec();
  }

  stats() {
    const lookups = this.counts.memory.hits + this.counts.memory.misses;
    const hits = this.counts.memory.hits + this.counts.redis.hits;
    return {
      memory: { ...this.counts.memory, bytes: this.memory?.calculatedSize ?? 0, entries: this.memory?.size ?? 0 },
      redis: { ...this.counts.redis, bytes: 0, entries: 0 },
      hitRatio: lookups === 0 ? 0 : hits / lookups,
    };
  }

  private count(tier: CacheTier, hit: boolean): void {
    if (hit) this.counts[tier].hits++;
    else this.counts[tier].misses++;
    this.metrics.cacheLookup(tier, hit);
  }
}
