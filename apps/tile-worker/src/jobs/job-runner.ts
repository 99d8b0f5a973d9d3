import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { TileProgramError, type CompiledProgram } from '@fleetplane/tile-compiler';
import { resultKey, ResultCache } from '../cache/result-cache.js';
import type { TileWorkerConfig } from '../config.js';
import { TileMetrics, type FinalJobState } from '../metrics/tile-metrics.js';
import { PartitionFailedError, PartitionPool } from '../pool/partition-pool.js';
import { runOnPool } from '../pool/run-on-pool.js';
import { ProgramCache } from '../programs/program-cache.js';
import type { JobRecord, JobStats } from './job-record.js';
import { TelemetrySourceError, TelemetryUnavailableError } from '../telemetry-source/telemetry-errors.js';
import { TelemetryReader, type TelemetryData } from '../telemetry-source/telemetry-reader.js';
import type { JobInput } from './job-record.js';
import { JobStore } from './job-store.js';
import { sourceFingerprint, sourceRows, toInputs } from './sources.js';

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
 * outage is thrown to BullMQ, which retries the job later; so is a telemetry
 * outage while reading a telemetry source, the job back to QUEUED meanwhile
 * (never run over partial or no data) and FAILED after the last attempt.
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
    @Inject(TelemetryReader) private readonly telemetry: TelemetryReader,
    @InjectConfig()
    private readonly config: Pick<TileWorkerConfig, 'MIN_POOL_ROWS' | 'MAX_RESULT_ROWS' | 'CANCEL_POLL_MS' | 'MAX_JOB_ROWS' | 'MAX_JOB_BYTES' | 'JOB_ATTEMPTS'>,
  ) {}

  /** `attempt`: BullMQ's run of this job (1-based); on the last one an outage FAILS the job instead of delaying it. */
  async run(jobId: string, attempt = 1): Promise<void> {
    // RUNNING too: BullMQ hands a job back when the instance running it died.
    // (A note left while waiting for telemetry goes: `error` is for how a job ended.)
    const job = await this.store.transition(jobId, ['QUEUED', 'RUNNING'], ({ error: _waiting, ...r }) => ({
      ...r,
      state: 'RUNNING',
      startedAt: this.clock.now().toISOString(),
    }));
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
      const stats = await this.compute(job, input, controller.signal);
      if (controller.signal.aborted) throw controller.signal.reason;
      await this.finish(job, 'COMPLETED', stats);
    } catch (err) {
      const stop = err instanceof Stop ? err : controller.signal.reason instanceof Stop ? controller.signal.reason : undefined;
      if (stop?.state === 'CANCELLED') return;
      if (stop?.state === 'TIMED_OUT') return void (await this.finish(job, 'TIMED_OUT', {}, `exceeded its timeout of ${job.timeoutMs} ms`));
      if (err instanceof PartitionFailedError || err instanceof TileProgramError || err instanceof ResultTooLarge || err instanceof TelemetrySourceError) {
        return void (await this.finish(job, 'FAILED', {}, err.message));
      }
      if (err instanceof TelemetryUnavailableError) {
        if (attempt >= this.config.JOB_ATTEMPTS) return void (await this.finish(job, 'FAILED', {}, `${err.message}; gave up after ${attempt} attempt(s)`));
        // Waiting for telemetry: QUEUED again (cancellable as any queued job) until BullMQ's backoff runs it again.
        await this.store.transition(job.id, ['RUNNING'], (r) => ({ ...r, state: 'QUEUED', error: `waiting: ${err.message}` }));
        this.metrics.telemetryWaited();
        this.log.warn(`job ${job.id} delayed (attempt ${attempt} of ${this.config.JOB_ATTEMPTS}): ${err.message}`);
      }
      throw err;
    } finally {
      clearTimeout(timer);
      clearInterval(poll);
    }
  }

  private async compute(job: JobRecord, input: JobInput, signal: AbortSignal): Promise<Partial<JobStats>> {
    const t0 = performance.now();
    const compiled = this.programs.get(job.programHash, JSON.parse(input.programJson));
    const compileMs = performance.now() - t0;
    const read = await this.readTelemetry(job, compiled, input, signal);
    const telemetryRows = [...read.values()].reduce((n, d) => n + d.count, 0);
    const fingerprint = read.size > 0 ? sourceFingerprint(input.sources, read) : job.sourceFingerprint;
    const key = resultKey(job.programHash, fingerprint);
    const seen = { rowsIn: job.stats.rowsIn + telemetryRows };
    const cached = await this.cache.get(key);
    if (cached) {
      await this.store.saveResult(job.id, cached.json);
      return { ...seen, cache: cached.tier, compileMs, rowsOut: cached.rowsOut };
    }
    const t1 = performance.now();
    const run = await runOnPool(compiled, { hash: job.programHash, json: input.programJson }, toInputs(input.sources, read), this.pool, {
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
    return { ...seen, cache: 'none', compileMs, runMs, rowsOut, partitions: run.partitions, workers: run.threads, partitionRetries: run.retries };
  }

  /**
   * Every telemetry source of the job, read from telemetry's stream with the job's row and
   * byte limits checked as the rows arrive (the compiler's estimate for the sizes so far), so
   * a source too large for the job stops its stream and FAILS the job naming it.
   */
  private async readTelemetry(job: JobRecord, compiled: CompiledProgram, input: JobInput, signal: AbortSignal): Promise<Map<string, TelemetryData>> {
    const read = new Map<string, TelemetryData>();
    const sizes: Record<string, number> = sourceRows(input.sources);
    let before = job.stats.rowsIn;
    for (const s of input.sources) {
      if (!s.telemetry) continue;
      const kind = compiled.original.nodes.find((n) => n.id === s.tileId)?.kind === 'columns' ? 'columns' : 'records';
      const checkRows = (rows: number) => {
        if (before + rows > this.config.MAX_JOB_ROWS)
          throw new TelemetrySourceError(
            `source "${s.tileId}" (telemetry): ${before + rows} rows read, over the job limit of ${this.config.MAX_JOB_ROWS} rows (MAX_JOB_ROWS)`,
          );
        const { memory } = this.programs.estimate(compiled, { ...sizes, [s.tileId]: rows });
        if (memory.peakBytes > this.config.MAX_JOB_BYTES)
          throw new TelemetrySourceError(
            `source "${s.tileId}" (telemetry): at ${rows} rows the compiler estimates ${Math.round(memory.peakBytes)} B of intermediates alive at once, over the job limit of ${this.config.MAX_JOB_BYTES} B (MAX_JOB_BYTES)`,
          );
      };
      const data = await this.telemetry.read(s.telemetry, { tileId: s.tileId, kind, checkRows, signal, timeoutMs: job.timeoutMs });
      signal.throwIfAborted();
      this.metrics.telemetryRead(data.count);
      read.set(s.tileId, data);
      sizes[s.tileId] = data.count;
      before += data.count;
    }
    return read;
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
