export * from './node.js';
export * from './metrics/registry.js';
export * from './health/readiness.js';
export * from './observability.module.js';
export * from './health/public-route.js';
export { MetricsListener } from './metrics/metrics-listener.js';
