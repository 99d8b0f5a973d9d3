import { Global, Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { GcraStore } from './gcra-store.js';
import { RateLimiter } from './rate-limiter.js';
import { StreamConnectLimit } from './stream-connect-limit.js';

/**
 * Request limits in Redis (GcraStore), global so that configureHttp's middleware, AccessGuard's
 * call after authentication and the stream's connects all reach the one RateLimiter.
 */
@Global()
@Module({
  imports: [MetricsModule],
  providers: [GcraStore, RateLimiter, StreamConnectLimit],
  exports: [RateLimiter, StreamConnectLimit],
})
export class RateLimitModule {}
