import { Metadata, type CallOptions } from '@grpc/grpc-js';
import { firstValueFrom, timeout, TimeoutError, type Observable } from 'rxjs';
import { GrpcStatus, grpcStatusOf } from '@fleetplane/service-kit';
import { upstreamDuration } from '../metrics.js';
import { UpstreamError } from './upstream-error.js';

type Unary<Req, Res> = (request: Req) => Observable<Res>;

/**
 * One unary gRPC call with a deadline the server sees (so it can stop working on it) and
 * the same bound on our side; failures become UpstreamErrors carrying the gRPC status.
 * Trace context travels in the metadata through the gRPC instrumentation.
 */
export async function unaryCall<Req, Res>(
  target: { service: string; method: string; timeoutMs: number },
  fn: Unary<Req, Res>,
  request: Req,
): Promise<Res> {
  const { service, method, timeoutMs } = target;
  // Nest's gRPC client passes extra arguments on to grpc-js: (request, metadata, options).
  const withOptions = fn as unknown as (request: Req, metadata: Metadata, options: CallOptions) => Observable<Res>;
  const stop = upstreamDuration.startTimer({ service, method });
  try {
    const response = await firstValueFrom(
      withOptions(request, new Metadata(), { deadline: Date.now() + timeoutMs }).pipe(timeout({ first: timeoutMs + 500 })),
    );
    stop({ code: 'OK' });
    return response;
  } catch (err) {
    const code = err instanceof TimeoutError ? GrpcStatus.DEADLINE_EXCEEDED : (grpcStatusOf(err) ?? GrpcStatus.UNKNOWN);
    stop({ code: GrpcStatus[code] ?? String(code) });
    const details = (err as { details?: unknown }).details;
    throw new UpstreamError(service, method, code, typeof details === 'string' ? details : (err as Error).message);
  }
}
