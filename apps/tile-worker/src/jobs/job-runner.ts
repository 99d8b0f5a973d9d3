import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { TileProgramError } from '@fleetplane/tile-compiler';
import { resultKey, ResultCache } from '../cache/result-cache.js';
import type { TileWorkerConfig } from '../config.js';
import { TileMetrics, type FinalJobState } from '../metrics/tile-metrics.js';
import { PartitionFailedError, PartitionPool } from '../pool/partition-pool.js';
import { runOnPool } from '../pool/run-on-pool.js';
import { ProgramCache } from '../programs/program-cache.js';
import type { JobRecord, JobStats } from './job-record.js';
import { JobStore } from './job-store.js';
import { toInputs } from './sources.js';

/** More result rows than MAX_RESULT_ROWS: the job FAILS instead of storing them. */
class ResultTooLarge extends Error {
  constructor(rows: number, limit: number) {
    super(`the program produced ${rows} result rows, over the limit of ${limit} (MAX_RESULT_ROWS)`);
  }
}

/** Why a running job's signal fired. */
class Stop {
  constructor(readonly state: 'CANCELLED' | 'TIMED_OUT') {}
}

/**
 * Runs one job: RUNNING, then the result from the cache or from the pool,
 * then COMPLETED with its stats — or FAILED naming why, TIMED_OUT past its
 * timeout (counted from the start of its run), or stopped when a cancel
 * (from any instance, seen by polling its record) lands first. A Redis
 * outage is thrown to BullMQ, which retries the job later.
 */
@Injectable()
export class JobRunner {
  private readonly log = new Logger(JobRunner.name);

  constructor(
    @Inject(JobStore) private readonly store: JobStore,
    @Inject(ProgramCache) private readonly programs: ProgramCache,
    @Inject(ResultCache) private readonly cache: ResultCache,
    @Inject(PartitionPool) private readonly pool: PartitionPool,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(TileMetrics) private readonly metrics: TileMetrics,
    @InjectConfig() private readonly config: Pick<TileWorkerConfig, 'MIN_POOL_ROWS' | 'MAX_RESULT_ROWS' | 'CANCEL_POLL_MS'>,
  ) {}

  async run(jobId: string): Promise<void> {
    // RUNNING too: BullMQ hands a job back when the instance running it died.
    const job = await this.store.transition(jobId, ['QUEUED', 'RUNNING'], (r) => ({ ...r, state: 'RUNNING', startedAt: this.clock.now().toISOString() }));
    if (!job) return; // cancelled before it started, or expired
    const input = await this.store.input(jobId);
    if (!input) return void (await this.finish(job, 'FAILED', {}, 'the job input has expired'));

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Stop('TIMED_OUT')), job.timeoutMs);
    const poll = setInterval(() => {
      this.store.state(jobId).then(
        (s) => s === 'CANCELLED' && controller.abort(new Stop('CANCELLED')),
        () => undefined, // Redis away: the next poll (or the timeout) decides
      );
    }, this.config.CANCEL_POLL_MS);
    try {
      const stats = await this.compute(job, input.programJson, input.sources, controller.signal);
      if (controller.signal.aborted) throw controller.signal.reason;
      await this.finish(job, 'COMPLETED', stats);
    } catch (err) {
      const stop = err instanceof Stop ? err : controller.signal.reason instanceof Stop ? controller.signal.reason : undefined;
      if (stop?.state === 'CANCELLED') return;
      if (stop?.state === 'TIMED_OUT') return void (await this.finish(job, 'TIMED_OUT', {}, `exceeded its timeout of ${job.timeoutMs} ms`));
      if (err instanceof PartitionFailedError || err instanceof TileProgramError || err instanceof ResultTooLarge) {
        return void (await this.finish(job, 'FAILED', {}, err.message));
      }
      throw err;
    } finally {
      clearTimeout(timer);
      clearInterval(poll);
    }
  }

  private async compute(job: JobRecord, programJson: string, sources: Parameters<typeof toInputs>[0], signal: AbortSignal): Promise<Partial<JobStats>> {
    const t0 = performance.now();
    const compiled = this.programs.get(job.programHash, JSON.parse(programJson));
    const compileMs = performance.now() - t0;
    const key = resultKey(job.programHash, job.sourceFingerprint);
    const cached = await this.cache.get(key);
    if (cached) {
      await this.store.saveResult(job.id, cached.json);
      return { cache: cached.tier, compileMs, rowsOut: cached.rowsOut };
    }
    const t1 = performance.now();
    const run = await runOnPool(compiled, { hash: job.programHash, json: programJson }, toInputs(sources), this.pool, {
      signal,
      minPoolRows: this.config.MIN_POOL_ROWS,
    });
    const runMs = performance.now() - t1;
    this.metrics.ranFor(runMs / 1000);
    const rowsOut = Object.values(run.outputs).reduce((n, rows) => n + rows.length, 0);
    if (rowsOut > this.config.MAX_RESULT_ROWS) throw new ResultTooLarge(rowsOut, this.config.MAX_RESULT_ROWS);
    const json = JSON.stringify(run.outputs);
    await this.cache.set(key, { json, rowsOut });
    await this.store.saveResult(job.id, json);
    return { cache: 'none', compileMs, runMs, rowsOut, partitions: run.partitions, workers: run.threads, partitionRetries: run.retries };
  }

  private async finish(job: JobRecord, state: FinalJobState, stats: Partial<JobStats>, error?: string): Promise<void> {
    const done = await this.store.transition(job.id, ['RUNNING'], (r) => ({
      ...r,
      state,
      finishedAt: this.clock.now().toISOString(),
      stats: { ...r.stats, ...stats },
      ...(error === undefined ? {} : { error }),
    }));
    if (!done) return; // cancelled meanwhile: the cancel stands
    this.metrics.finished(state);
    if (error) this.log.warn(`job ${job.id} ${state}: ${error}`);
  }
}
