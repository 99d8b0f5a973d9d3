import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { ReadinessRegistry } from '@fleetplane/observability';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';

/** Redis holds the login attempt counters; /ready fails while it is unreachable. */
@Injectable()
export class RedisService extends Redis implements OnModuleDestroy {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, readiness: ReadinessRegistry) {
    // Fail a command fast instead of queueing it while Redis is away: a login should get a
    // clear 503, not hang until the client gives up.
    super(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
    // ioredis reconnects by itself; without a listener an 'error' event would crash the process.
    this.on('error', () => undefined);
    readiness.register('redis', async () => {
      const pong = await this.ping();
      if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.disconnect();
  }
}
