// The Nest-free part, for plain Node programs such as the reference agent:
// importing the package root would load Nest.
export * from './tracing/context.js';
export { shutdownTracing, startTracing, type TracingOptions } from './tracing/sdk.js';
export type { InstrumentationName } from './tracing/instrumentations.js';
export * from './logging/logger.js';
