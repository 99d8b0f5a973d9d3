import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { InjectRedis } from '@fleetplane/service-kit/redis';
import type { TileWorkerConfig } from '../config.js';
import { KEY_PREFIX } from '../queue/jobs.js';
import { jobInputSchema, jobRecordSchema, type JobInput, type JobRecord, type JobState } from './job-record.js';

const jobKey = (id: string) => `${KEY_PREFIX}:job:${id}`;
const inputKey = (id: string) => `${KEY_PREFIX}:input:${id}`;
const resultKey = (id: string) => `${KEY_PREFIX}:result:${id}`;
const INDEX = `${KEY_PREFIX}:jobs`;

// Compare-and-set on the state: the write happens only if no one moved the job meanwhile
// (a cancel racing the worker's COMPLETED: whichever lands first wins, the other sees 0).
const SET_IF_STATE = `
if redis.call('HGET', KEYS[1], 'state') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'record', ARGV[3])
return 1`;

export interface ListCursor {
  /** createdAt (ms) and id of the last job of the previous page. */
  at: number;
  id: string;
}

/**
 * Job records in Redis, not PostgreSQL: a tile job is a computation whose
 * record and result matter for a retention period (JOB_RETENTION_SECONDS,
 * as a key TTL), whose result can always be recomputed, and which is only
 * ever read by id or newest-first; BullMQ and the shared result cache
 * already need this Redis, so a database would add a dependency (and its
 * migrations) without adding a guarantee the jobs need. Submissions are
 * audited by the gateway. Each job is a hash {state, record} so state
 * changes are compare-and-set (SET_IF_STATE); the newest-first index is a
 * sorted set by creation time.
 */
@Injectable()
export class JobStore {
  private readonly ttl: number;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    @Inject(Clock) private readonly clock: Clock,
    @InjectConfig() config: Pick<TileWorkerConfig, 'JOB_RETENTION_SECONDS'>,
  ) {
    this.ttl = config.JOB_RETENTION_SECONDS;
  }

  async create(record: JobRecord, input: JobInput): Promise<void> {
    const createdMs = Date.parse(record.createdAt);
    await this.redis
      .multi()
      .hset(jobKey(record.id), 'state', record.state, 'record', JSON.stringify(record))
      .expire(jobKey(record.id), this.ttl)
      .set(inputKey(record.id), JSON.stringify(input), 'EX', this.ttl)
      .zadd(INDEX, createdMs, record.id)
      // Index entries of jobs past retention (their keys have expired).
      .zremrangebyscore(INDEX, '-inf', this.clock.nowMs() - this.ttl * 1000)
      .exec()
      .then(failOnError);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const raw = await this.redis.hget(jobKey(id), 'record');
    return raw === null ? undefined : jobRecordSchema.parse(JSON.parse(raw));
  }

  async state(id: string): Promise<JobState | undefined> {
    return ((await this.redis.hget(jobKey(id), 'state')) as JobState | null) ?? undefined;
  }

  async input(id: string): Promise<JobInput | undefined> {
    const raw = await this.redis.get(inputKey(id));
    return raw === null ? undefined : jobInputSchema.parse(JSON.parse(raw));
  }

  /**
   * Moves a job from one of `from` to `patch(record)`; undefined when the job
   * is unknown or in another state (someone else moved it first).
   */
  async transition(id: string, from: readonly JobState[], patch: (r: JobRecord) => JobRecord): Promise<JobRecord | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.get(id);
      if (!current || !from.includes(current.state)) return undefined;
      const next = patch(current);
      const ok = await this.redis.eval(SET_IF_STATE, 1, jobKey(id), current.state, next.state, JSON.stringify(next));
      if (ok === 1) return next;
    }
    return undefined;
  }

  /** The result as JSON text (by sink id), kept as long as the record. */
  async saveResult(id: string, outputsJson: string): Promise<void> {
    await this.redis.set(resultKey(id), outputsJson, 'EX', this.ttl);
  }

  async result(id: string): Promise<string | undefined> {
    return (await this.redis.get(resultKey(id))) ?? undefined;
  }

  /** Newest first, continuing after `cursor`. */
  async list(size: number, cursor: ListCursor | undefined): Promise<{ jobs: JobRecord[]; last?: ListCursor; more: boolean }> {
    const jobs: JobRecord[] = [];
    const keys: ListCursor[] = [];
    let max: string = cursor ? String(cursor.at) : '+inf';
    // Jobs created in the same millisecond share a score; ZRANGE ... REV orders them by id descending.
    const after = (at: number, id: string) => !cursor || at < cursor.at || (at === cursor.at && id < cursor.id);
    for (;;) {
      const batch = await this.redis.zrange(INDEX, max, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, size + 64, 'WITHSCORES');
      if (batch.length === 0) break;
      const entries: ListCursor[] = [];
      for (let i = 0; i < batch.length; i += 2) entries.push({ id: batch[i] as string, at: Number(batch[i + 1]) });
      const fresh = entries.filter((e) => after(e.at, e.id) && !keys.some((k) => k.id === e.id));
      const records = await Promise.all(fresh.map((e) => this.get(e.id)));
      const gone = fresh.filter((_, i) => records[i] === undefined).map((e) => e.id);
      if (gone.length) await this.redis.zrem(INDEX, ...gone);
      fresh.forEach((e, i) => {
        const r = records[i];
        if (r) {
          jobs.push(r);
          keys.push(e);
        }
      });
      if (jobs.length > size || batch.length / 2 < size + 64) break;
      max = `(${(entries.at(-1) as ListCursor).at}`;
    }
    const page = jobs.slice(0, size);
    return { jobs: page, last: keys[page.length - 1], more: jobs.length > size };
  }
}

function failOnError(results: [Error | null, unknown][] | null): void {
  const err = results?.find(([e]) => e !== null)?.[0];
  if (err) throw err;
}
