import { GrpcStatus } from '@fleetplane/service-kit';

/** A failed call to another service, with the gRPC code the exception filter maps to HTTP. */
export class UpstreamError extends Error {
  override name = 'UpstreamError';

  constructor(
    readonly service: string,
    readonly method: string,
    readonly code: GrpcStatus,
    readonly details: string,
  ) {
    super(`${service}.${method} failed with ${GrpcStatus[code] ?? code}: ${details}`);
  }
}
