// The Nest-free part, for plain Node programs such as the reference agent:
// importing the package root would load Nest.
export * from './tracing/context.js';
export { shutdownTracing } from './tracing/sdk.js';
export * from './logging/logger.js';
