import { Piscina } from 'piscina';
import type { PartitionPartial, PartitionRequest, Row } from '@fleetplane/tile-compiler';
import { isPartitionStarted, type PartitionResult, type PartitionStarted, type PartitionTask } from './partition-task.js';
import { retryReason } from './retry-reason.js';
import { encodeRows } from './row-batch.js';

export interface PartitionPoolOptions {
  /** The worker script (dist/pool/partition-worker.js) as a path or file URL. */
  readonly filename: string;
  readonly maxWorkers: number;
  readonly idleTimeoutMs: number;
  readonly maxQueue: number;
  readonly maxOldGenerationMb: number;
  /** Counted from the moment the partition is handed to the pool. */
  readonly partitionTimeoutMs: number;
  /** Attempts after the first for a partition whose thread was lost. */
  readonly retries: number;
  readonly onRetry?: (reason: string) => void;
}

/** A partition that kept losing its thread: the job FAILS with this message. */
export class PartitionFailedError extends Error {
  override name = 'PartitionFailedError';
  constructor(
    readonly stage: string,
    readonly partition: number,
    readonly partitions: number,
    attempts: number,
    cause: string,
  ) {
    super(`partition ${partition + 1} of ${partitions} of stage ${stage} failed after ${attempts} attempt(s): ${cause}`);
  }
}

export interface StageRun {
  readonly partials: PartitionPartial[];
  readonly threads: ReadonlySet<number>;
  readonly retries: number;
}

/**
 * A task's input: rows as a columnar batch on shared memory (when the stage's input schema is
 * known; else a row slice, cloned), the columns themselves when they are shared memory.
 */
function taskInput(src: unknown, start: number, end: number, schema?: Readonly<Record<string, string>>): { src: unknown; start: number; end: number } {
  if (Array.isArray(src) && schema) return { src: encodeRows(src as Row[], start, end, schema), start: 0, end: end - start };
  if (Array.isArray(src)) return { src: src.slice(start, end), start: 0, end: end - start };
  const columns = src as Record<string, ArrayLike<number>>;
  const shared = Object.values(columns).every((c) => c instanceof Float64Array && c.buffer instanceof SharedArrayBuffer);
  if (shared) return { src, start, end };
  // Cloning a typed-array view copies its whole buffer: post only the slice.
  const sliced = Object.fromEntries(Object.entries(columns).map(([f, c]) => [f, Float64Array.from(Array.prototype.slice.call(c, start, end) as number[])]));
  return { src: sliced, start: 0, end: end - start };
}

/**
 * The worker_threads pool (piscina) that runs plan partitions. A thread that
 * crashes, runs out of heap (resourceLimits) or exceeds the partition
 * timeout is replaced by piscina; its partition runs again, up to `retries`
 * times, then the stage fails naming the partition. Piscina hands each task
 * to the least busy thread and queues the rest (maxQueue).
 */
export class PartitionPool {
  private readonly piscina: Piscina<PartitionTask, PartitionResult>;
  private readonly startedListeners = new Set<(m: PartitionStarted) => void>();
  private retriesTotal = 0;

  constructor(private readonly opts: PartitionPoolOptions) {
    this.piscina = new Piscina<PartitionTask, PartitionResult>({
      filename: opts.filename,
      minThreads: Math.min(1, opts.maxWorkers),
      maxThreads: opts.maxWorkers,
      idleTimeout: opts.idleTimeoutMs,
      maxQueue: opts.maxQueue,
      resourceLimits: { maxOldGenerationSizeMb: opts.maxOldGenerationMb },
    });
    this.piscina.on('message', (m: unknown) => {
      if (isPartitionStarted(m)) for (const l of this.startedListeners) l(m);
    });
    // A thread lost while idle has no task to fail; piscina replaces it. Without a listener the event would throw.
    this.piscina.on('error', () => undefined);
  }

  get maxWorkers(): number {
    return this.opts.maxWorkers;
  }

  /** Worker threads alive now (a test terminates one of them to prove the retry). */
  get threads(): readonly { threadId: number; terminate(): Promise<number> }[] {
    return this.piscina.threads;
  }

  onPartitionStarted(listener: (m: PartitionStarted) => void): () => void {
    this.startedListeners.add(listener);
    return () => this.startedListeners.delete(listener);
  }

  /**
   * Runs every range of one chain stage on the pool; partials come back in range order.
   * `inputSchema`: the stage input's fields and types, so row inputs travel as columnar batches.
   */
  async runStage(
    programHash: string,
    programJson: string,
    req: PartitionRequest,
    signal: AbortSignal,
    inputSchema?: Readonly<Record<string, string>>,
  ): Promise<StageRun> {
    const threads = new Set<number>();
    let retries = 0;
    const label = `#${req.stageIndex + 1} (${req.chain.stage.output})`;
    // The first partition to fail stops its siblings: the stage (and the job) has failed already.
    const failed = new AbortController();
    const stage = AbortSignal.any([signal, failed.signal]);
    const runOne = async (index: number): Promise<PartitionPartial> => {
      const range = req.ranges[index] as { start: number; end: number };
      const task: PartitionTask = { programHash, programJson, stageIndex: req.stageIndex, ...taskInput(req.src, range.start, range.end, inputSchema) };
      for (let attempt = 1; ; attempt++) {
        const timeout = AbortSignal.timeout(this.opts.partitionTimeoutMs);
        try {
          const result = await this.piscina.run(task, { signal: AbortSignal.any([stage, timeout]) });
          threads.add(result.threadId);
          return result.partial;
        } catch (err) {
          if (stage.aborted) throw stage.reason;
          const reason = retryReason(err, timeout.aborted);
          const cause = timeout.aborted ? `timed out after ${this.opts.partitionTimeoutMs} ms` : (err as Error).message;
          if (reason === undefined || attempt > this.opts.retries) {
            const failure = new PartitionFailedError(label, index, req.ranges.length, attempt, cause);
            failed.abort(failure);
            throw failure;
          }
          retries++;
          this.retriesTotal++;
          this.opts.onRetry?.(reason);
        }
      }
    };
    const partials = await Promise.all(req.ranges.map((_, i) => runOne(i)));
    return { partials, threads, retries };
  }

  stats(): { maxWorkers: number; threads: number; queued: number; utilization: number; completed: number; retries: number } {
    return {
      maxWorkers: this.opts.maxWorkers,
      threads: this.piscina.threads.length,
      queued: this.piscina.queueSize,
      utilization: this.piscina.utilization,
      completed: this.piscina.completed,
      retries: this.retriesTotal,
    };
  }

  close(): Promise<void> {
    return this.piscina.close();
  }
}
