import { status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';

/** An error a gRPC handler throws; the client sees exactly this code and message. */
export const grpcError = (code: status, message: string) => new RpcException({ code, message });

export const notFound = (what: string) => grpcError(status.NOT_FOUND, `${what} not found`);
export const invalidArgument = (field: string, message: string) => grpcError(status.INVALID_ARGUMENT, `${field}: ${message}`);

/** The status code carried by an error from a gRPC client call, if any. */
export function grpcStatusOf(err: unknown): status | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export { status as GrpcStatus };
