import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricFactory } from '@fleetplane/service-kit';

export type FinalJobState = 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT';
export type CacheTier = 'memory' | 'redis';

/** Read at scrape time: the pool, the queue and the cache each report their own figures. */
export interface TileGaugeSources {
  queue(): Promise<Record<string, number>>;
  pool(): { threads: number; queued: number; utilization: number };
  cache(): { memoryBytes: number; memoryEntries: number; hitRatio: number };
}

/**
 * What an SRE watches on tile-worker, all under `fleetplane_tile_worker_`:
 * jobs by state, the shared queue, the pool's threads and utilisation,
 * partition retries, the result cache and compile/run times.
 */
@Injectable()
export class TileMetrics {
  private readonly log = new Logger(TileMetrics.name);
  private readonly jobsSubmitted: Counter;
  private readonly jobsFinished: Counter<'state'>;
  private readonly partitionRetries: Counter<'reason'>;
  private readonly cacheLookups: Counter<'tier' | 'outcome'>;
  private readonly cacheEvictions: Counter;
  private readonly compileSeconds: Histogram;
  private readonly runSeconds: Histogram;
  private readonly telemetryRows: Counter;
  private readonly telemetryWaits: Counter;
  private sources?: TileGaugeSources;

  constructor(@Inject(MetricFactory) metrics: MetricFactory) {
    this.jobsSubmitted = metrics.counter({ name: 'jobs_submitted_total', help: 'Tile jobs accepted and queued' });
    this.jobsFinished = metrics.counter({
      name: 'jobs_finished_total',
      help: 'Tile jobs that reached a final state, by state (COMPLETED, FAILED, CANCELLED, TIMED_OUT)',
      labelNames: ['state'] as const,
    });
    this.partitionRetries = metrics.counter({
      name: 'partition_retries_total',
      help: 'Partitions run again after their worker thread crashed, ran out of memory or timed out',
      labelNames: ['reason'] as const,
    });
    this.cacheLookups = metrics.counter({
      name: 'cache_lookups_total',
      help: 'Result cache lookups by tier (memory, redis) and outcome (hit, miss)',
      labelNames: ['tier', 'outcome'] as const,
    });
    this.cacheEvictions = metrics.counter({ name: 'cache_evictions_total', help: 'Results evicted from the in-process tier to stay in its byte budget' });
    this.compileSeconds = metrics.histogram({
      name: 'compile_duration_seconds',
      help: 'Compiling a tile program (cache misses only)',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    });
    this.runSeconds = metrics.histogram({
      name: 'run_duration_seconds',
      help: 'Running a tile job on the pool (cache misses only)',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    });
    this.telemetryRows = metrics.counter({ name: 'telemetry_rows_total', help: "Rows read for telemetry sources from telemetry's StreamHistory" });
    this.telemetryWaits = metrics.counter({
      name: 'telemetry_waits_total',
      help: 'Runs of jobs put back to QUEUED because telemetry (or agent-hub) was unavailable; BullMQ retries them',
    });
    const read = () => this.sources;
    const log = this.log;
    metrics.gauge({
      name: 'queue_jobs',
      help: 'Jobs on the shared tile queue, by BullMQ state',
      labelNames: ['state'] as const,
      async collect() {
        try {
          for (const [state, n] of Object.entries((await read()?.queue()) ?? {})) this.set({ state }, n);
        } catch (err) {
          // A Redis outage keeps the last values (and /metrics working).
          log.warn(`queue depth unavailable: ${(err as Error).message}`);
        }
      },
    });
    metrics.gauge({
      name: 'pool_threads',
      help: 'Worker threads alive in the pool',
      collect() {
        this.set(read()?.pool().threads ?? 0);
      },
    });
    metrics.gauge({
      name: 'pool_queued_partitions',
      help: 'Partitions waiting for a free worker thread',
      collect() {
        this.set(read()?.pool().queued ?? 0);
      },
    });
    metrics.gauge({
      name: 'pool_utilization_ratio',
      help: "Share of the pool's capacity spent running partitions since start (0..1)",
      collect() {
        this.set(read()?.pool().utilization ?? 0);
      },
    });
    metrics.gauge({
      name: 'cache_memory_bytes',
      help: 'Bytes held by the in-process result cache',
      collect() {
        this.set(read()?.cache().memoryBytes ?? 0);
      },
    });
    metrics.gauge({
      name: 'cache_hit_ratio',
      help: 'Result cache hits (either tier) over lookups since start',
      collect() {
        this.set(read()?.cache().hitRatio ?? 0);
      },
    });
  }

  readGaugesFrom(sources: TileGaugeSources): void {
    this.sources = sources;
  }

  submitted(): void {
    this.jobsSubmitted.inc();
  }

  finished(state: FinalJobState): void {
    this.jobsFinished.inc({ state });
  }

  partitionRetried(reason: string): void {
    this.partitionRetries.inc({ reason });
  }

  cacheLookup(tier: CacheTier, hit: boolean): void {
    this.cacheLookups.inc({ tier, outcome: hit ? 'hit' : 'miss' });
  }

  cacheEvicted(): void {
    this.cacheEvictions.inc();
  }

  /** Call the returned function when the compile ends. */
  compileTimer(): () => void {
    const stop = this.compileSeconds.startTimer();
    return () => void stop();
  }

  telemetryRead(rows: number): void {
    this.telemetryRows.inc(rows);
  }

  telemetryWaited(): void {
    this.telemetryWaits.inc();
  }

  ranFor(seconds: number): void {
    this.runSeconds.observe(seconds);
  }
}
