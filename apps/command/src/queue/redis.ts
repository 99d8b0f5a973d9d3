import { Redis } from 'ioredis';

/**
 * Connection for adding jobs and queue queries: fails fast while Redis is
 * away, so a submit answers UNAVAILABLE instead of hanging.
 */
export const producerConnection = (url: string) =>
  new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: false, connectionName: 'command-producer' });

/** Connection for workers: BullMQ's blocking reads need unlimited retries and reconnect by themselves. */
export const workerConnection = (url: string) => new Redis(url, { maxRetriesPerRequest: null, connectionName: 'command-worker' });
