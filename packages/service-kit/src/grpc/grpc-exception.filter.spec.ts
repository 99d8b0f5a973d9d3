import { describe, expect, it } from 'vitest';
import { isDependencyUnavailable } from './dependency-errors.js';

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });
/** What Prisma throws for a failed $queryRaw: P2010 with the driver adapter's reason. */
const rawQueryFailure = (kind: string) =>
  Object.assign(new Error('Raw query failed'), { code: 'P2010', meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind } } } });

describe(isDependencyUnavailable.name, () => {
  it('recognises database and network outages', () => {
    expect(isDependencyUnavailable(Object.assign(new Error("Can't reach database server"), { code: 'P1001' }))).toBe(true);
    expect(isDependencyUnavailable(Object.assign(new Error('pool timeout'), { code: 'P2024' }))).toBe(true);
    expect(isDependencyUnavailable(named('PrismaClientInitializationError'))).toBe(true);
    expect(isDependencyUnavailable(new Error('wrapped', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }))).toBe(true);
    expect(isDependencyUnavailable(new Error('Connection is closed.'))).toBe(true);
  });

  it('recognises a raw query that could not reach the database, and only that raw-query failure', () => {
    expect(isDependencyUnavailable(rawQueryFailure('DatabaseNotReachable'))).toBe(true);
    expect(isDependencyUnavailable(rawQueryFailure('ConnectionClosed'))).toBe(true);
    expect(isDependencyUnavailable(rawQueryFailure('postgres'))).toBe(false);
  });

  it('recognises PostgreSQL refusing or ending connections, as pg reports it without Prisma', () => {
    const pgError = (code: string) => Object.assign(new Error('pg'), { name: 'error', code });
    expect(isDependencyUnavailable(pgError('57P01'))).toBe(true); // terminating connection due to administrator command
    expect(isDependencyUnavailable(pgError('57P03'))).toBe(true); // the database system is starting up
    expect(isDependencyUnavailable(pgError('53300'))).toBe(true); // too many connections
    expect(isDependencyUnavailable(pgError('08006'))).toBe(true);
    expect(isDependencyUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDependencyUnavailable(pgError('42P01'))).toBe(false); // undefined table: a bug
    expect(isDependencyUnavailable(pgError('23505'))).toBe(false);
  });

  it('recognises Redis and NATS outages', () => {
    expect(isDependencyUnavailable(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(isDependencyUnavailable(named('MaxRetriesPerRequestError'))).toBe(true);
    expect(isDependencyUnavailable(named('ClosedConnectionError'))).toBe(true);
    expect(isDependencyUnavailable(named('NoRespondersError'))).toBe(true);
  });

  it('leaves bugs as bugs', () => {
    expect(isDependencyUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDependencyUnavailable(Object.assign(new Error('unique'), { code: 'P2002' }))).toBe(false);
    expect(isDependencyUnavailable(null)).toBe(false);
  });

  it('does not loop on an error that is its own cause', () => {
    const e = new Error('self');
    (e as { cause?: unknown }).cause = e;
    expect(isDependencyUnavailable(e)).toBe(false);
  });
});
