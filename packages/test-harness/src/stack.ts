import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startNats } from './nats.js';
import { startPostgres, type PostgresHandle } from './postgres.js';
import { startRedis } from './redis.js';
import type { ServerHandle } from './server-handle.js';

export interface Infra {
  nats: ServerHandle;
  redis: ServerHandle;
  postgres: PostgresHandle;
  /** Stops all three (in parallel). */
  stop(): Promise<void>;
}

/**
 * Starts NATS, Redis and PostgreSQL in parallel. With `dataDir`, each gets a
 * subdirectory (nats/, redis/, postgres/) and its log goes to <dataDir>/<name>.log,
 * so a second `make up` finds the same state.
 */
export async function startInfra(opts: { dataDir?: string; ports?: { nats?: number; redis?: number; postgres?: number } } = {}): Promise<Infra> {
  // Created up front: the log files live here, and the dir must be traversable by the postgres user.
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true, mode: 0o755 });
  const sub = (name: 'nats' | 'redis' | 'postgres') => ({
    ...(opts.dataDir ? { dataDir: join(opts.dataDir, name), logFile: join(opts.dataDir, `${name}.log`) } : {}),
    ...(opts.ports?.[name] ? { port: opts.ports[name] } : {}),
  });
  const results = await Promise.allSettled([startNats(sub('nats')), startRedis(sub('redis')), startPostgres(sub('postgres'))] as const);
  const [nats, redis, postgres] = results;
  if (nats.status === 'rejected' || redis.status === 'rejected' || postgres.status === 'rejected') {
    // Do not leave the servers that did start running behind the one that failed.
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.stop() : Promise.resolve())));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    throw errors.length === 1 ? errors[0] : new AggregateError(errors, 'startInfra: several servers failed to start');
  }
  return {
    nats: nats.value,
    redis: redis.value,
    postgres: postgres.value,
    async stop() {
      await Promise.all([nats.value.stop(), redis.value.stop(), postgres.value.stop()]);
    },
  };
}
