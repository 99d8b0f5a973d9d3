export * from '../redis/redis.module.js';
