// Prisma's codes for "cannot reach / lost / timed out talking to the database" and a full pool.
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const NET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
// ioredis (a command refused or abandoned while the connection is down) and NATS (no connection,
// draining, nobody answering in time); NatsRequestError is the traced client's own.
const UNAVAILABLE_NAMES = new Set([
  'PrismaClientInitializationError',
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
  'ClosedConnectionError',
  'ConnectionError',
  'DrainingConnectionError',
  'NoRespondersError',
  'NatsRequestError',
]);
// A raw query ($queryRaw) that cannot reach the database is P2010 "raw query failed", with the
// driver adapter's reason in meta, where a model query would say P1001.
const DRIVER_UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
// PostgreSQL's own SQLSTATEs on a pg error (a read through SqlPool, not Prisma): the server is
// shutting down or starting (57P01–57P03), out of connections (53300), a connection failure (08…).
const PG_UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
const UNAVAILABLE_MESSAGES = /Connection terminated|Connection is closed|connect ECONNREFUSED|Stream isn't writeable|enableOfflineQueue/i;

/** True for failures that say "a dependency is away, try again later" rather than "this is a bug". */
export function isDependencyUnavailable(err: unknown, seen = new Set<unknown>()): boolean {
  const e = err as { name?: string; code?: unknown; cause?: unknown; message?: string; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } } | null;
  if (!e || typeof e !== 'object' || seen.has(e)) return false;
  seen.add(e);
  if (UNAVAILABLE_NAMES.has(e.name ?? '') || UNAVAILABLE_NAMES.has(e.constructor?.name ?? '')) return true;
  if (typeof e.code === 'string' && (PRISMA_UNAVAILABLE.has(e.code) || NET_UNAVAILABLE.has(e.code) || PG_UNAVAILABLE_SQLSTATE.test(e.code))) return true;
  if (e.code === 'P2010' && DRIVER_UNAVAILABLE_KINDS.has(String(e.meta?.driverAdapterError?.cause?.kind))) return true;
  if (UNAVAILABLE_MESSAGES.test(e.message ?? '')) return true;
  return e.cause !== undefined && isDependencyUnavailable(e.cause, seen);
}
