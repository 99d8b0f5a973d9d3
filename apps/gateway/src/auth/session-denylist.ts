import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { InjectConfig } from '@fleetplane/service-kit';
import { InjectRedis } from '@fleetplane/service-kit/redis';
import type { GatewayConfig } from '../config.js';

const key = (sid: string) => `gateway:ended-session:${sid}`;

/**
 * Sessions (refresh-token families, the `sid` of an access token) ended one by one —
 * a logout, the other sessions at a password change — in Redis, which every gateway
 * instance reads. An entry lives as long as an access token can: past that, every
 * token of the session has expired anyway. Ending all of a user's sessions does not
 * come here: that bumps the user's sessionVersion instead.
 */
@Injectable()
export class SessionDenylist {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    @InjectConfig() private readonly config: Pick<GatewayConfig, 'ACCESS_TOKEN_TTL_SECONDS'>,
  ) {}

  async deny(sids: readonly string[]): Promise<void> {
    if (sids.length === 0) return;
    const tx = this.redis.multi();
    for (const sid of sids) tx.set(key(sid), '1', 'EX', this.config.ACCESS_TOKEN_TTL_SECONDS);
    const replies = await tx.exec();
    if (!replies) throw new Error('redis transaction aborted');
    for (const [err] of replies) if (err) throw err;
  }

  async isDenied(sid: string): Promise<boolean> {
    return (await this.redis.exists(key(sid))) === 1;
  }
}
