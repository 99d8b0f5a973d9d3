export * from './fleet.js';
export * from './gateway-client.js';
