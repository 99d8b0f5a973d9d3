export * from './fleet.js';
export * from './gateway-client.js';
export * from './multi/index.js';
