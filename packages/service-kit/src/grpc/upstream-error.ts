import { status } from '@grpc/grpc-js';

/** A failed call to another service, carrying the gRPC status (the gateway maps it to HTTP). */
export class UpstreamError extends Error {
  override name = 'UpstreamError';

  constructor(
    readonly upstream: string,
    readonly method: string,
    readonly code: status,
    readonly details: string,
  ) {
    super(`${upstream}.${method} failed with ${status[code] ?? code}: ${details}`);
  }
}
