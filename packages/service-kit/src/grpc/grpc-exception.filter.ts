import { Catch, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseRpcExceptionFilter, RpcException } from '@nestjs/microservices';
import { status } from '@grpc/grpc-js';
import { throwError, type Observable } from 'rxjs';
import { isDependencyUnavailable } from './dependency-errors.js';

/**
 * The errors of every gRPC handler: deliberate ones (RpcException) pass
 * through; a database, Redis or NATS outage becomes UNAVAILABLE (retryable:
 * the gateway answers 503), anything else INTERNAL — never Nest's UNKNOWN
 * "Internal server error". runService installs it on every gRPC server.
 */
@Catch()
export class GrpcExceptionFilter extends BaseRpcExceptionFilter {
  private readonly log: Logger;

  constructor(service: string) {
    super();
    this.log = new Logger(`${service} gRPC`);
  }

  override catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (exception instanceof RpcException) return super.catch(exception, host) as Observable<never>;
    const unavailable = isDependencyUnavailable(exception);
    this.log.error(`${unavailable ? 'dependency unavailable' : 'unexpected error'}: ${(exception as Error)?.message ?? String(exception)}`);
    return throwError(() =>
      unavailable
        ? { code: status.UNAVAILABLE, message: 'a dependency (database, queue or NATS) is unavailable; retry later' }
        : { code: status.INTERNAL, message: 'internal error' },
    );
  }
}
