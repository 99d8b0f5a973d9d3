// Prisma reports a raw query ($queryRaw) that cannot reach the database as
// P2010 "raw query failed" with the driver adapter's reason, where a model
// query says P1001; service-kit's gRPC filter (isDependencyUnavailable) knows
// only the latter, so an outage would answer INTERNAL instead of UNAVAILABLE.
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

interface RawQueryFailure {
  code?: unknown;
  message?: string;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown } } };
}

/** `err` itself, or for a raw query that could not reach the database the same failure as P1001 (can't reach database server). */
export function asReachabilityError(err: unknown): unknown {
  const e = err as RawQueryFailure | null;
  const kind = e?.meta?.driverAdapterError?.cause?.kind;
  if (e?.code !== 'P2010' || typeof kind !== 'string' || !UNREACHABLE_KINDS.has(kind)) return err;
  return Object.assign(new Error(e.message ?? kind, { cause: err }), { code: 'P1001' });
}
