export * from './config/load-config.js';
export * from './nats/nats.client.js';
export * from './nats/nats.module.js';
export * from './grpc/grpc-options.js';
export * from './grpc/grpc-errors.js';
export * from './lifecycle/run-service.js';
export * from './websocket/ws-data.js';
