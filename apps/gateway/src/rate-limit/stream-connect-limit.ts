import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { InjectConfig } from '@fleetplane/service-kit';
import { closeReason } from '@fleetplane/service-kit/websocket';
import type { GatewayConfig } from '../config.js';
import { RateLimiter } from './rate-limiter.js';
import { upgradeClientIp } from './upgrade-client-ip.js';

/** RFC 6455 §7.4.1 (IANA registry): the server is overloaded, the client should retry later. */
export const WS_TRY_AGAIN_LATER = 1013;

/**
 * Connects to the live-update stream, counted per client ip (RATE_LIMIT_STREAM). The socket is
 * already accepted (its session listens, so an early auth frame is not lost); one over the limit
 * is closed with 1013 and the seconds to wait in the reason. Redis being away lets it stay.
 */
@Injectable()
export class StreamConnectLimit {
  constructor(
    private readonly limiter: RateLimiter,
    @InjectConfig() private readonly config: Pick<GatewayConfig, 'TRUST_PROXY_HOPS'>,
  ) {}

  async check(ws: WebSocket, req: IncomingMessage): Promise<void> {
    const verdict = await this.limiter.check('stream', { scope: 'ip', ip: upgradeClientIp(req, this.config.TRUST_PROXY_HOPS) });
    if (verdict?.outcome === 'limited' || (verdict?.outcome === 'unavailable' && !verdict.failOpen)) {
      const wait = verdict.outcome === 'limited' ? `; retry in ${verdict.retryAfterSeconds} s` : '';
      ws.close(WS_TRY_AGAIN_LATER, closeReason(`too many stream connections${wait}`));
    }
  }
}
