import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type Type } from '@nestjs/common';
import type { PrismaPg } from '@prisma/adapter-pg';
import type { Pool } from 'pg';
import { ReadinessRegistry } from '@fleetplane/observability';
import { SERVICE_CONFIG } from '../config/config.module.js';

/** What the module needs of a generated Prisma 7 client. */
export interface PrismaClientLike {
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
  $queryRawUnsafe(query: string): Promise<unknown>;
}

type PrismaClientClass<T extends PrismaClientLike> = new (options: { adapter: PrismaPg }) => T;

/**
 * The pg pool under the Prisma client, for the few reads where Prisma's row objects are the
 * cost (a query returning thousands of rows): same connections, same tracing, same limits.
 * Inject it with `@InjectSqlPool() pool: Pool`.
 */
export const SQL_POOL = 'fleetplane:sql-pool';
export const InjectSqlPool = (): ParameterDecorator => Inject(SQL_POOL);
export type SqlPool = Pool;

/**
 * One way to own a service's database client: constructed with the pg driver
 * adapter, connected at start-up (a service that cannot reach its database
 * should not pretend to run), checked on /ready as `postgres`, disconnected
 * on shutdown after the work that uses it has stopped. The client is provided
 * under its own generated class, so providers inject `PrismaClient` directly;
 * its pg pool is provided as SQL_POOL.
 */
@Module({})
export class PrismaModule {
  static forRoot<T extends PrismaClientLike>(client: PrismaClientClass<T>, opts: { url?: (config: Record<string, unknown>) => string } = {}): DynamicModule {
    const urlOf = opts.url ?? ((config) => String(config.DATABASE_URL));
    class PrismaCloser implements OnApplicationShutdown {
      constructor(private readonly db: T) {}
      async onApplicationShutdown(): Promise<void> {
        await this.db.$disconnect();
      }
    }
    return {
      global: true,
      module: PrismaModule,
      providers: [
        {
          provide: SQL_POOL,
          inject: [SERVICE_CONFIG],
          useFactory: async (config: Record<string, unknown>) => {
            // Loaded here rather than at the top so a service without a database never loads pg.
            const { default: pg } = await import('pg');
            return new pg.Pool({ connectionString: urlOf(config) });
          },
        },
        {
          provide: client,
          inject: [SQL_POOL, ReadinessRegistry],
          useFactory: async (pool: Pool, readiness: ReadinessRegistry) => {
            const { PrismaPg } = await import('@prisma/adapter-pg');
            // The adapter ends the pool when the client disconnects (at shutdown, below).
            const db = new client({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
            await db.$connect();
            readiness.register('postgres', async () => {
              await db.$queryRawUnsafe('select 1');
            });
            return db;
          },
        },
        { provide: PrismaCloser, inject: [client], useFactory: (db: T) => new PrismaCloser(db) },
      ],
      exports: [client as Type<T>, SQL_POOL],
    };
  }
}
