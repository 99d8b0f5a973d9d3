import { GrpcStatus, UpstreamError } from '@fleetplane/service-kit/grpc';

/** What an audit row says about a failed call to command or agent-hub: the gRPC status, never the peer's message. */
export function failureDetails(err: unknown): Record<string, string> {
  return err instanceof UpstreamError ? { error: GrpcStatus[err.code] ?? String(err.code) } : { error: 'internal' };
}
