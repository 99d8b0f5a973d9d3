import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@fleetplane/service-kit';
import { PrismaClient, type BackupType, type Job, type JobKind, type Prisma } from '../generated/prisma/client.js';

/** A job's progress as stored and published. */
export interface JobProgressSnapshot {
  bytesRead: number;
  bytesStored: number;
  dedupRatio: number;
  bytesExpected: number;
  etaSeconds: number | null;
}

export interface NewJob {
  kind: JobKind;
  type?: BackupType;
  sources?: string[];
  backupId?: string;
  params: Prisma.InputJsonValue;
  requestedBy: string;
  policyId?: string;
}

const ACTIVE = ['QUEUED', 'RUNNING'] as const;

/**
 * The catalogue's jobs table, and the one place job states change. Every transition is guarded by
 * the states it may start from (a finished or cancelled job is never reopened, whatever a late or
 * repeated worker attempt does); each returns the row it wrote, or null when the guard refused.
 */
@Injectable()
export class JobStore {
  constructor(
    @Inject(PrismaClient) private readonly db: PrismaClient,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  create(job: NewJob): Promise<Job> {
    return this.db.job.create({
      data: {
        id: randomUUID(),
        kind: job.kind,
        type: job.type ?? null,
        sources: job.sources ?? [],
        backupId: job.backupId ?? null,
        params: job.params,
        requestedBy: job.requestedBy,
        policyId: job.policyId ?? null,
        createdAt: this.clock.now(),
      },
    });
  }

  get(id: string): Promise<Job | null> {
    return this.db.job.findUnique({ where: { id } });
  }

  list(limit: number): Promise<Job[]> {
    return this.db.job.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit });
  }

  active(): Promise<Job[]> {
    return this.db.job.findMany({ where: { state: { in: [...ACTIVE] } }, orderBy: { createdAt: 'asc' } });
  }

  /** QUEUED (or RUNNING again, after a crash) → RUNNING, attempt `attempt`. */
  start(id: string, attempt: number): Promise<Job | null> {
    return this.guarded(id, ACTIVE, { state: 'RUNNING', attempts: attempt, error: null }, { startedAt: this.clock.now() });
  }

  progress(id: string, progress: JobProgressSnapshot): Promise<Job | null> {
    return this.guarded(id, ['RUNNING'], { progress: { ...progress } });
  }

  succeed(id: string, result: Prisma.InputJsonValue, backupId?: string, progress?: JobProgressSnapshot): Promise<Job | null> {
    return this.guarded(id, ACTIVE, {
      state: 'SUCCEEDED',
      result,
      finishedAt: this.clock.now(),
      error: null,
      ...(backupId ? { backupId } : {}),
      ...(progress ? { progress: { ...progress } } : {}),
    });
  }

  /** A transient failure with attempts left: back to QUEUED, the reason kept until the next attempt. */
  retrying(id: string, error: string): Promise<Job | null> {
    return this.guarded(id, ACTIVE, { state: 'QUEUED', error });
  }

  fail(id: string, error: string): Promise<Job | null> {
    return this.guarded(id, ACTIVE, { state: 'FAILED', error, finishedAt: this.clock.now() });
  }

  /** A job that has not started (or waits for a retry): cancelled at once. */
  cancelQueued(id: string, reason: string): Promise<Job | null> {
    return this.guarded(id, ['QUEUED'], { state: 'CANCELLED', error: reason, finishedAt: this.clock.now() });
  }

  /** A running job its worker stopped on a cancel (nothing it wrote was committed). */
  cancelledWhileRunning(id: string, reason: string): Promise<Job | null> {
    return this.guarded(id, ['RUNNING'], { state: 'CANCELLED', error: reason, finishedAt: this.clock.now() });
  }

  /** The latest successful backup of exactly these sources, for the expected size (ETA). */
  async lastBackupOf(sources: readonly string[]): Promise<Job | null> {
    return this.db.job.findFirst({ where: { kind: 'BACKUP', state: 'SUCCEEDED', sources: { equals: [...sources] } }, orderBy: { createdAt: 'desc' } });
  }

  /**
   * One conditional UPDATE (atomic: a concurrent transition from another state cannot interleave);
   * `once` sets fields that are still null (a restarted job keeps its first start time).
   */
  private async guarded(id: string, from: readonly Job['state'][], data: Prisma.JobUpdateManyMutationInput, once?: { startedAt: Date }): Promise<Job | null> {
    const { count } = await this.db.job.updateMany({ where: { id, state: { in: [...from] } }, data });
    if (count === 0) return null;
    if (once) await this.db.job.updateMany({ where: { id, startedAt: null }, data: once });
    return this.get(id);
  }
}
