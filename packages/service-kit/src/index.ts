// The part every service loads. Infrastructure a service may not have is in
// subpaths, so that a service without it never loads its libraries:
//   @fleetplane/service-kit/grpc    gRPC servers, clients, status helpers
//   @fleetplane/service-kit/nats    the traced NATS client
//   @fleetplane/service-kit/prisma  PrismaModule
//   @fleetplane/service-kit/redis   RedisModule
//   @fleetplane/service-kit/queue   QueueModule, QueueWorker (BullMQ)
//   @fleetplane/service-kit/websocket  WebSocket session base
export * from './config/load-config.js';
export * from './config/config.module.js';
export * from './clock/clock.js';
export * from './metrics/metric-factory.js';
export * from './core/service-core.module.js';
export * from './paging/page-token.js';
export * from './paging/keyset.js';
export * from './lifecycle/run-service.js';
export * from './lifecycle/periodic-task.js';
export * from './batching/batch-collector.js';
export * from './batching/coalescer.js';
