export * from './command-load.js';
export * from './kill-sequence.js';
export * from './multi-system.js';
export * from './system-checks.js';
