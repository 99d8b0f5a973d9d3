// The reference agent's pieces, for tests and for embedding.
export * from './config.js';
export * from './agent.js';
export * from './process/run-process.js';
export * from './process/command-executor.js';
export * from './process/fit-result.js';
export * from './host/inventory.js';
export * from './host/telemetry-sampler.js';
export * from './hub/backoff.js';
export * from './hub/hub-client.js';
export * from './enrollment/credential-file.js';
export * from './enrollment/enroll-client.js';
export * from './enrollment/identity.js';
