// The reference agent's pieces, for tests and for embedding.
export * from './config.js';
export * from './agent.js';
export * from './process/run-process.js';
export * from './exec/execution-manager.js';
export * from './exec/local-queue.js';
export * from './exec/output-coalescer.js';
export * from './exec/session-link.js';
export * from './state/execution-journal.js';
export * from './host/system-info/collect.js';
export * from './process/fit-result.js';
export * from './host/inventory.js';
export * from './host/telemetry-sampler.js';
export * from './hub/backoff.js';
export * from './hub/hub-client.js';
export * from './enrollment/credential-file.js';
export * from './enrollment/enroll-client.js';
export * from './enrollment/identity.js';
