import type { ClientConfig } from 'pg';

/** Discrete pg connection fields; see adapter-factory.ts for why a connection string is not enough. */
export interface PgConnectionFields {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  ssl?: ClientConfig['ssl'];
}

/**
 * Splits a postgres:// URL into discrete fields. PrismaPg builds its shadow-database
 * pool as `{ ...config, database }`; with `{ connectionString }` the string wins and the
 * "shadow" database would be the live one, so we never hand it a connection string.
 */
export function parseDatabaseUrl(databaseUrl: string): PgConnectionFields {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL (expected postgresql://user:password@host:port/database)');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new Error(`DATABASE_URL must use postgresql:// or postgres://, got ${url.protocol}//`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new Error('DATABASE_URL names no database (the path after host:port)');

  // Migrations are generated for the default search_path; a non-default schema would need
  // the engine and the adapter to agree on it, which this tool does not set up.
  const schema = url.searchParams.get('schema');
  if (schema && schema !== 'public') {
    throw new Error(`DATABASE_URL ?schema=${schema} is not supported; only the default "public" schema is`);
  }

  const fields: PgConnectionFields = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
  };
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode === 'require' || sslmode === 'prefer') fields.ssl = { rejectUnauthorized: false };
  else if (sslmode === 'verify-ca' || sslmode === 'verify-full') fields.ssl = true;
  return fields;
}
