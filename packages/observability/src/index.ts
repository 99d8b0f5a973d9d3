export * from './tracing/context.js';
export { shutdownTracing } from './tracing/sdk.js';
export * from './logging/logger.js';
export * from './metrics/registry.js';
export * from './health/readiness.js';
export * from './observability.module.js';
