export * from '../grpc/grpc-options.js';
export * from '../grpc/grpc-errors.js';
export * from '../grpc/dependency-errors.js';
export * from '../grpc/grpc-exception.filter.js';
export * from '../grpc/grpc-client.js';
export * from '../grpc/upstream-error.js';
export type { GrpcServerSpec } from '../grpc/grpc-server.js';
export * from '../grpc/health-client.js';
export * from '../grpc/grpc-page-token.js';
