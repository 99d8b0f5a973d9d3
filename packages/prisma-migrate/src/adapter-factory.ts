import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { CatalogCharClient } from './catalog-char-client.js';
import type { PgConnectionFields } from './database-url.js';

/** A migration-aware factory that can also close every connection it handed out. */
export interface ClosableAdapterFactory extends SqlMigrationAwareDriverAdapterFactory {
  /** Disposes adapters the engine left open, so the process can exit promptly. */
  close(): Promise<void>;
}

/**
 * Wraps PrismaPg to work around its shadow-database handling (adapter-pg 7.10.1):
 * it builds the shadow pool as `{ ...config, database }`, so a connection string would win
 * and point the "shadow" at the live database (hence discrete fields throughout); and
 * its dispose runs DROP DATABASE while its own pool is still connected, which fails with
 * "database ... is being accessed by other users" and makes every shadow diff throw.
 * Here the shadow pool is ended first, then the database is dropped WITH (FORCE).
 */
export function createAdapterFactory(fields: PgConnectionFields): ClosableAdapterFactory {
  const live = new PrismaPg({ ...fields, Client: CatalogCharClient });
  const open = new Set<SqlDriverAdapter>();

  // Every adapter is tracked so close() can end pools the engine never disposed.
  const track = (adapter: SqlDriverAdapter, afterDispose?: () => Promise<void>): SqlDriverAdapter => {
    const dispose = adapter.dispose.bind(adapter);
    let disposed: Promise<void> | undefined;
    adapter.dispose = () => {
      disposed ??= (async () => {
        open.delete(adapter);
        try {
          await dispose();
        } finally {
          await afterDispose?.();
        }
      })();
      return disposed;
    };
    open.add(adapter);
    return adapter;
  };

  return {
    provider: live.provider,
    adapterName: live.adapterName,
    async connect() {
      return track(await live.connect());
    },
    async connectToShadowDb() {
      const shadow = `prisma_migrate_shadow_db_${randomUUID()}`;
      await runAdminStatement(fields, `CREATE DATABASE "${shadow}"`);
      try {
        const adapter = await new PrismaPg({ ...fields, database: shadow, Client: CatalogCharClient }).connect();
        return track(adapter, () => runAdminStatement(fields, `DROP DATABASE IF EXISTS "${shadow}" WITH (FORCE)`));
      } catch (error) {
        await runAdminStatement(fields, `DROP DATABASE IF EXISTS "${shadow}" WITH (FORCE)`);
        throw error;
      }
    },
    async close() {
      await Promise.allSettled([...open].map((adapter) => adapter.dispose()));
    },
  };
}

/** CREATE/DROP DATABASE cannot run in a transaction or through a pool we are about to drop, so use a one-off client. */
async function runAdminStatement(fields: PgConnectionFields, sql: string): Promise<void> {
  const client = new pg.Client({ ...fields });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
