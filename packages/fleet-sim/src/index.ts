// The simulator's pieces, for benchmarks and integration tests that drive a fleet in-process.
export * from './credentials.js';
export * from './duration.js';
export * from './fleet-simulator.js';
export * from './fleet-summary.js';
export * from './gateway-enrollment.js';
export * from './local-addresses.js';
export * from './sim-options.js';
export * from './simulated-inventory.js';
export * from './token-enrollment.js';
