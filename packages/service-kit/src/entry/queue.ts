export * from '../queue/queue.module.js';
export * from '../queue/queue-worker.js';
export * from '../queue/retry-policy.js';
