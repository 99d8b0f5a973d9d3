import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { ReadinessRegistry } from '@fleetplane/observability';
import { SERVICE_CONFIG } from '../config/config.module.js';
import { SERVICE_NAME } from '../core/service-core.module.js';

export interface RedisConnectionOptions {
  /** Default: the service config's REDIS_URL. */
  url?: (config: Record<string, unknown>) => string;
  /** Extra ioredis options; the defaults fail fast (see below). */
  options?: RedisOptions;
}

/** The injection token of a named connection; prefer `@InjectRedis(name)`. */
export const redisToken = (name = 'default') => `fleetplane:redis:${name}`;
export const InjectRedis = (name = 'default'): ParameterDecorator => Inject(redisToken(name));

/** The readiness check's name: `redis` for the default connection, `redis.<name>` for the others. */
const readinessName = (name: string) => (name === 'default' ? 'redis' : `redis.${name}`);

/**
 * Every Redis connection the module opened, closed on shutdown. Users of a
 * connection that must stop before it closes (BullMQ queues) register a
 * closer here, which runs first.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly connections = new Map<string, Redis>();
  private readonly beforeClose: Array<() => Promise<unknown>> = [];

  add(name: string, redis: Redis): void {
    this.connections.set(name, redis);
  }

  get(name = 'default'): Redis {
    const redis = this.connections.get(name);
    if (!redis) throw new Error(`no Redis connection named ${name}; register it in RedisModule.forRoot`);
    return redis;
  }

  onBeforeClose(close: () => Promise<unknown>): void {
    this.beforeClose.push(close);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.beforeClose.map((close) => close()));
    await Promise.allSettled([...this.connections.values()].map((r) => r.quit().catch(() => r.disconnect())));
  }
}

/**
 * How long start-up waits for a connection. Without the wait, the first
 * commands would fail while the socket is still opening (there is no offline
 * queue); past it the service starts anyway and reports not-ready on /ready
 * until Redis is back, like any later outage.
 */
const CONNECT_WAIT_MS = 3_000;

function firstConnect(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

/** ioredis reconnects by itself and emits 'error' per failed attempt: log the first of an outage, not every retry. */
function logOutages(redis: Redis, log: Logger): void {
  let up = true;
  redis.on('ready', () => {
    if (!up) log.log('reconnected');
    up = true;
  });
  redis.on('error', (err: Error) => {
    if (up) log.warn(`connection lost: ${err.message}`);
    up = false;
  });
}

/**
 * Named Redis connections (`default`, `cache`, …), each checked on /ready and
 * closed on shutdown. Commands fail fast while Redis is away (no offline
 * queue, two retries): a request gets a clear UNAVAILABLE instead of hanging,
 * and nothing queues without bound in the process.
 */
@Module({})
export class RedisModule {
  static forRoot(connections: Record<string, RedisConnectionOptions> = { default: {} }): DynamicModule {
    const names = Object.keys(connections);
    return {
      global: true,
      module: RedisModule,
      providers: [
        RedisConnections,
        ...names.map((name) => ({
          provide: redisToken(name),
          inject: [SERVICE_CONFIG, SERVICE_NAME, ReadinessRegistry, RedisConnections],
          useFactory: async (config: Record<string, unknown>, service: string, readiness: ReadinessRegistry, all: RedisConnections) => {
            const spec = connections[name]!;
            const url = spec.url ? spec.url(config) : String(config.REDIS_URL);
            const redis = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: false, connectionName: `${service}-${name}`, ...spec.options });
            logOutages(redis, new Logger(`Redis ${name}`));
            readiness.register(readinessName(name), async () => {
              // ioredis types the reply as 'PONG'; the check is for what the wire actually says.
              const pong: string = await redis.ping();
              if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
            });
            all.add(name, redis);
            await firstConnect(redis, CONNECT_WAIT_MS);
            return redis;
          },
        })),
      ],
      exports: [RedisConnections, ...names.map((n) => redisToken(n))],
    };
  }
}
