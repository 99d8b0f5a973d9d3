export * from '../nats/nats.client.js';
export * from '../nats/nats.module.js';
