import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadinessRegistry } from '@fleetplane/observability';
import { startRedis, type ServerHandle } from '@fleetplane/test-harness';
import { ServiceCoreModule } from '../core/service-core.module.js';
import { RedisModule } from '../redis/redis.module.js';
import { InjectQueue, QueueHost, QueueModule } from './queue.module.js';
import { QueueWorker } from './queue-worker.js';
import { PermanentJobError, retryUnlessPermanent } from './retry-policy.js';

const PREFIX = 'fleetplane:kit-test';

/** Fails the first attempts of `flaky` jobs transiently and `bad` jobs permanently; records every attempt. */
@Injectable()
class ProbeWorker extends QueueWorker {
  protected readonly retryPolicy = retryUnlessPermanent;
  readonly attempts: string[] = [];

  constructor(host: QueueHost) {
    super(host, { queue: 'probe', concurrency: 2 });
  }

  protected process(job: Job): Promise<void> {
    this.attempts.push(`${job.name}#${job.attemptsStarted}`);
    if (job.name === 'bad') return Promise.reject(new PermanentJobError('never works'));
    if (job.name === 'flaky' && job.attemptsStarted < 2) return Promise.reject(new Error('Redis blinked'));
    return Promise.resolve();
  }
}

@Injectable()
class Producer {
  constructor(@InjectQueue('probe') readonly queue: Queue) {}
}

describe('RedisModule, QueueModule and QueueWorker against a real redis-server', () => {
  let redis: ServerHandle;
  let app: INestApplicationContext;
  let observer: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    observer = new Redis(redis.url);
    @Module({
      imports: [
        ServiceCoreModule.forRoot({ service: 'kit-test', config: { REDIS_URL: redis.url } }),
        RedisModule.forRoot({ default: {}, cache: {} }),
        QueueModule.forRoot({ prefix: PREFIX }),
        QueueModule.registerQueue('probe'),
      ],
      providers: [ProbeWorker, Producer],
    })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    observer?.disconnect();
    await redis?.stop();
  });

  const waitForJob = async (queue: Queue, id: string, state: 'completed' | 'failed') => {
    for (let i = 0; i < 200; i++) {
      if ((await queue.getJobState(id)) === state) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`job ${id} never became ${state}`);
  };

  it('reports each named connection on /ready', async () => {
    const { ready, checks } = await app.get(ReadinessRegistry).evaluate();
    expect(ready).toBe(true);
    expect(checks).toEqual({ redis: 'ok', 'redis.cache': 'ok' });
  });

  it('retries a transient failure and fails a permanent one at once', async () => {
    const { queue } = app.get(Producer);
    const worker = app.get(ProbeWorker);
    const opts = { attempts: 3, backoff: { type: 'fixed', delay: 10 } };
    await queue.add('flaky', {}, { ...opts, jobId: 'flaky-1' });
    await queue.add('bad', {}, { ...opts, jobId: 'bad-1' });
    await waitForJob(queue, 'flaky-1', 'completed');
    await waitForJob(queue, 'bad-1', 'failed');
    expect(worker.attempts.filter((a) => a.startsWith('flaky'))).toEqual(['flaky#1', 'flaky#2']);
    expect(worker.attempts.filter((a) => a.startsWith('bad'))).toEqual(['bad#1']);
    expect((await queue.getJob('bad-1'))?.failedReason).toBe('never works');
  });

  it('closes the worker, the queue and every connection on shutdown', async () => {
    const clients = async () =>
      String(await observer.client('LIST'))
        .split('\n')
        .filter((l: string) => l.includes('name=kit-test'));
    expect((await clients()).length).toBeGreaterThanOrEqual(3); // default, cache, the worker's own
    await app.close();
    for (let i = 0; i < 100 && (await clients()).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await clients()).toEqual([]);
  });
});
