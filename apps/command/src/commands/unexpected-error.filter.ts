import { Catch, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseRpcExceptionFilter, RpcException } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { GrpcStatus } from '@fleetplane/service-kit';

// Prisma's codes for "cannot reach / lost / timed out talking to the database" and a full pool.
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const NET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/** True for failures that say "a dependency is away, try again later" rather than "this is a bug". */
export function isDependencyUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown; cause?: unknown; message?: string } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'PrismaClientInitializationError') return true;
  if (typeof e.code === 'string' && (PRISMA_UNAVAILABLE.has(e.code) || NET_UNAVAILABLE.has(e.code))) return true;
  if (/Connection terminated|Connection is closed|connect ECONNREFUSED/i.test(e.message ?? '')) return true;
  return e.cause !== undefined && e.cause !== err && isDependencyUnavailable(e.cause);
}

/**
 * gRPC handlers' errors: deliberate ones (RpcException) pass through; a
 * database or Redis outage becomes UNAVAILABLE (retryable), anything else
 * INTERNAL, instead of Nest's UNKNOWN "Internal server error".
 */
@Catch()
export class UnexpectedErrorFilter extends BaseRpcExceptionFilter {
  private readonly log = new Logger('CommandService');

  override catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (exception instanceof RpcException) return super.catch(exception, host) as Observable<never>;
    const unavailable = isDependencyUnavailable(exception);
    this.log.error(`${unavailable ? 'dependency unavailable' : 'unexpected error'}: ${(exception as Error)?.message ?? String(exception)}`);
    return throwError(() =>
      unavailable
        ? { code: GrpcStatus.UNAVAILABLE, message: 'a dependency (database or queue) is unavailable; retry later' }
        : { code: GrpcStatus.INTERNAL, message: 'internal error' },
    );
  }
}
