// Test support for integration tests of the hub and of agents (`@fleetplane/agent-hub/testing`).
export * from './hub-process.js';
export * from './jetstream-reader.js';
export * from './agent-socket.js';
