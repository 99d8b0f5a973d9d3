import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ReadinessRegistry } from '@fleetplane/observability';
import { CommandQueue, DEADLINE_QUEUE_TOKEN, DISPATCH_QUEUE_TOKEN } from './command-queue.js';
import { QueueDepthCollector } from './queue-depth.collector.js';
import { DEADLINE_QUEUE, DISPATCH_QUEUE, QUEUE_PREFIX } from './jobs.js';
import { producerConnection } from './redis.js';

export const PRODUCER_REDIS = Symbol('PRODUCER_REDIS');

class QueueCloser implements OnApplicationShutdown {
  constructor(
    @Inject(DISPATCH_QUEUE_TOKEN) private readonly dispatch: Queue,
    @Inject(DEADLINE_QUEUE_TOKEN) private readonly deadlines: Queue,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.dispatch.close(), this.deadlines.close()]);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** The BullMQ queues (producer side) on Redis, and the Redis readiness check. */
@Module({})
export class QueueModule {
  static forRoot(redisUrl: string): DynamicModule {
    return {
      global: true,
      module: QueueModule,
      providers: [
        {
          provide: PRODUCER_REDIS,
          inject: [ReadinessRegistry],
          useFactory: (readiness: ReadinessRegistry) => {
            const redis = producerConnection(redisUrl);
            readiness.register('redis', async () => {
              await redis.ping();
            });
            return redis;
          },
        },
        { provide: DISPATCH_QUEUE_TOKEN, inject: [PRODUCER_REDIS], useFactory: (redis: Redis) => new Queue(DISPATCH_QUEUE, { connection: redis, prefix: QUEUE_PREFIX }) },
        { provide: DEADLINE_QUEUE_TOKEN, inject: [PRODUCER_REDIS], useFactory: (redis: Redis) => new Queue(DEADLINE_QUEUE, { connection: redis, prefix: QUEUE_PREFIX }) },
        CommandQueue,
        QueueDepthCollector,
        QueueCloser,
      ],
      exports: [CommandQueue],
    };
  }
}
