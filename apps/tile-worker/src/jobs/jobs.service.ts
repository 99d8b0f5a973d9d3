import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { z } from 'zod';
import { currentTraceCarrier } from '@fleetplane/observability';
import type { tilesV1 } from '@fleetplane/contracts/grpc';
import { Clock, InjectConfig, PageTokenCodec, pageSize } from '@fleetplane/service-kit';
import { decodeGrpcPageToken, grpcError, GrpcStatus, invalidArgument, notFound } from '@fleetplane/service-kit/grpc';
import { InjectQueue } from '@fleetplane/service-kit/queue';
import type { TileWorkerConfig } from '../config.js';
import { TileMetrics } from '../metrics/tile-metrics.js';
import { parseProgram } from '../programs/parse-program.js';
import { ProgramCache } from '../programs/program-cache.js';
import { TILE_QUEUE, type TileJob } from '../queue/jobs.js';
import { isFinal, outputsSchema, type JobRecord } from './job-record.js';
import { toProtoJob } from './job.mapper.js';
import { JobStore } from './job-store.js';
import { resultCursorCodec, resultPage } from './result-page.js';
import { decodeSources, inlineRows, sourceFingerprint, sourceRows } from './sources.js';

const listCodec = new PageTokenCodec(z.object({ at: z.number(), id: z.string() }), 'ListJobs');
// Finished BullMQ entries are trimmed: the job record (JobStore) is what callers read.
const KEEP = { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 24 * 3600, count: 5000 } };

/** Submit, read, cancel, list and explain tile jobs (the TileService gRPC API). */
@Injectable()
export class JobsService {
  constructor(
    @Inject(ProgramCache) private readonly programs: ProgramCache,
    @Inject(JobStore) private readonly store: JobStore,
    @InjectQueue(TILE_QUEUE) private readonly queue: Queue<TileJob>,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(TileMetrics) private readonly metrics: TileMetrics,
    @InjectConfig() private readonly config: TileWorkerConfig,
  ) {}

  /**
   * Everything that can be refused is checked here, before the job exists:
   * the program (compiled once per hash), the bindings, the row limit and the
   * compiler's peak-memory estimate for these sizes, the timeout.
   */
  async submit(req: tilesV1.SubmitJobRequest): Promise<JobRecord> {
    const { hash, compiled } = parseProgram(req.programJson, this.programs);
    const sources = decodeSources(req.sources, compiled, this.clock.nowMs());
    const sizes = sourceRows(sources);
    const rowsIn = Object.values(sizes).reduce((a, b) => a + b, 0) + inlineRows(compiled);
    if (rowsIn > this.config.MAX_JOB_ROWS) throw invalidArgument('sources', `${rowsIn} rows exceed the job limit of ${this.config.MAX_JOB_ROWS} rows`);
    const { memory } = this.programs.estimate(compiled, sizes);
    if (memory.peakBytes > this.config.MAX_JOB_BYTES) {
      throw invalidArgument(
        'program_json',
        `the compiler estimates ${Math.round(memory.peakBytes)} B of intermediates alive at once for these sources, over the job limit of ${this.config.MAX_JOB_BYTES} B`,
      );
    }
    if (req.timeoutMs < 0 || req.timeoutMs > this.config.MAX_JOB_TIMEOUT_MS)
      throw invalidArgument('timeout_ms', `must be between 0 (the default) and ${this.config.MAX_JOB_TIMEOUT_MS}`);

    const record: JobRecord = {
      id: randomUUID(),
      state: 'QUEUED',
      programHash: hash,
      sourceFingerprint: sourceFingerprint(sources),
      requestedBy: req.requestedBy,
      timeoutMs: req.timeoutMs || this.config.DEFAULT_JOB_TIMEOUT_MS,
      createdAt: this.clock.now().toISOString(),
      stats: {
        rowsIn,
        rowsOut: 0,
        partitions: 0,
        workers: 0,
        cache: 'none',
        compileMs: 0,
        runMs: 0,
        partitionRetries: 0,
        estimatedPeakBytes: memory.peakBytes,
      },
      sinks: compiled.plan.nodes.filter((n) => n.kind === 'sink').map((n) => n.id),
    };
    await this.store.create(record, { programJson: req.programJson, sources });
    const trace = currentTraceCarrier();
    await this.queue.add(
      'run',
      { jobId: record.id, ...(trace ? { trace } : {}) },
      // Attempts and backoff are for outages: Redis, or telemetry for a telemetry source (the job waits, QUEUED, between them).
      { jobId: record.id, attempts: this.config.JOB_ATTEMPTS, backoff: { type: 'exponential', delay: this.config.JOB_RETRY_DELAY_MS }, ...KEEP },
    );
    this.metrics.submitted();
    return record;
  }

  async get(req: tilesV1.GetJobRequest): Promise<tilesV1.GetJobResponse> {
    const record = await this.require(req.jobId);
    if (req.resultLimit < 0) throw invalidArgument('result_limit', 'must not be negative');
    const limit = Math.min(req.resultLimit || this.config.RESULT_PAGE_ROWS, this.config.MAX_RESULT_PAGE_ROWS);
    const from = decodeGrpcPageToken(resultCursorCodec, req.resultCursor, record.id) ?? { sink: 0, offset: 0 };
    const job = toProtoJob(record);
    if (record.state !== 'COMPLETED') return { job, results: [], nextResultCursor: '' };
    const raw = await this.store.result(record.id);
    if (raw === undefined) return { job, results: [], nextResultCursor: '' };
    const page = resultPage(outputsSchema.parse(JSON.parse(raw)), record.sinks, from, limit);
    return { job, results: page.results, nextResultCursor: page.next ? resultCursorCodec.encode(page.next, record.id) : '' };
  }

  /** A queued job never starts; a running one is stopped by its worker within a poll interval. */
  async cancel(req: tilesV1.CancelJobRequest): Promise<JobRecord> {
    const current = await this.require(req.jobId);
    const next = await this.store.transition(current.id, ['QUEUED', 'RUNNING'], (r) => ({
      ...r,
      state: 'CANCELLED',
      finishedAt: this.clock.now().toISOString(),
      error: `cancelled by ${req.requestedBy || 'unknown'}`,
    }));
    if (!next) {
      const now = (await this.store.get(current.id)) ?? current;
      if (isFinal(now.state)) throw grpcError(GrpcStatus.FAILED_PRECONDITION, `job ${now.id} is ${now.state}; only QUEUED or RUNNING jobs can be cancelled`);
      throw grpcError(GrpcStatus.ABORTED, `job ${now.id} changed state while cancelling; retry`);
    }
    this.metrics.finished('CANCELLED');
    // A waiting BullMQ job is removed; an active one is locked (its worker sees CANCELLED and stops).
    await this.queue.remove(next.id).catch(() => undefined);
    return next;
  }

  async list(req: tilesV1.ListJobsRequest): Promise<tilesV1.ListJobsResponse> {
    if (req.pageSize < 0) throw invalidArgument('page_size', 'must not be negative');
    const cursor = decodeGrpcPageToken(listCodec, req.pageToken);
    const page = await this.store.list(pageSize(req.pageSize), cursor);
    return { jobs: page.jobs.map(toProtoJob), nextPageToken: page.more && page.last ? listCodec.encode(page.last) : '' };
  }

  explain(req: tilesV1.ExplainRequest): tilesV1.ExplainResponse {
    const { program, hash, compiled } = parseProgram(req.programJson, this.programs);
    for (const [tile, rows] of Object.entries(req.sourceRows)) if (rows < 0) throw invalidArgument(`source_rows.${tile}`, 'must not be negative');
    const { memory, cost } = this.programs.estimate(compiled, req.sourceRows);
    // explain() prints the estimates made at compile time (default sizes); recompile with the caller's sizes only when given.
    const plan = Object.keys(req.sourceRows).length === 0 ? compiled.explain() : this.programs.explainFor(program, req.sourceRows);
    return {
      plan,
      tiles: compiled.original.nodes.length,
      stages: compiled.stages.length,
      estimatedPeakBytes: memory.peakBytes,
      estimatedMs: cost.estimatedMs,
      programHash: hash,
    };
  }

  private async require(id: string): Promise<JobRecord> {
    if (!z.uuid().safeParse(id).success) throw invalidArgument('job_id', 'must be a UUID');
    const record = await this.store.get(id);
    if (!record) throw notFound(`job ${id}`);
    return record;
  }
}
