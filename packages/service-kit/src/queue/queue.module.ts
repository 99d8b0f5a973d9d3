import { Inject, Module, type DynamicModule } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { RedisConnections } from '../redis/redis.module.js';

export interface QueueModuleOptions {
  /** Key prefix in Redis (`fleetplane:<service>`), so services sharing a Redis never collide. */
  prefix: string;
  /** The RedisModule connection producers use (default `default`); workers open a blocking duplicate of it. */
  connection?: string;
}

const QUEUE_OPTIONS = Symbol('QUEUE_OPTIONS');

/** The injection token of a queue's producer; prefer `@InjectQueue(name)`. */
export const queueToken = (name: string) => `fleetplane:queue:${name}`;
export const InjectQueue = (name: string): ParameterDecorator => Inject(queueToken(name));

/** Where workers get their connection and prefix from. */
export class QueueHost {
  constructor(
    readonly prefix: string,
    private readonly producer: Redis,
  ) {}

  /**
   * A connection of the worker's own: BullMQ's blocking reads need one per
   * worker, with unlimited retries (a Redis outage delays jobs, it must not
   * stop the worker for good).
   */
  workerConnection(name: string): Redis {
    return this.producer.duplicate({
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      connectionName: `${this.producer.options.connectionName ?? 'queue'}-worker-${name}`,
    });
  }
}

/**
 * BullMQ on a RedisModule connection: `forRoot` once per service, then
 * `registerQueue(...)` for the queues a module produces to. Queues close just
 * before their connection does; workers (QueueWorker) close earlier, when the
 * app stops taking work.
 */
@Module({})
export class QueueModule {
  static forRoot(opts: QueueModuleOptions): DynamicModule {
    return {
      global: true,
      module: QueueModule,
      providers: [
        {
          provide: QueueHost,
          inject: [RedisConnections],
          useFactory: (redis: RedisConnections) => new QueueHost(opts.prefix, redis.get(opts.connection)),
        },
        { provide: QUEUE_OPTIONS, useValue: opts },
      ],
      exports: [QueueHost, QUEUE_OPTIONS],
    };
  }

  static registerQueue(...names: string[]): DynamicModule {
    return {
      module: QueueModule,
      providers: names.map((name) => ({
        provide: queueToken(name),
        inject: [QUEUE_OPTIONS, RedisConnections],
        useFactory: (opts: QueueModuleOptions, redis: RedisConnections) => {
          const queue = new Queue(name, { connection: redis.get(opts.connection), prefix: opts.prefix });
          redis.onBeforeClose(() => queue.close());
          return queue;
        },
      })),
      exports: names.map(queueToken),
    };
  }
}
