import { z } from 'zod';
import { rateSpec } from './rate-spec.js';

/**
 * The request limits' settings, spread into the gateway's config schema. Defaults are meant to be
 * far above what an operator at the CLI or a dashboard sends, and to stop floods and runaway scripts.
 */
export const rateLimitEnv = {
  /** false: no request is counted and no X-RateLimit-* header is sent (the login limiter stays). */
  RATE_LIMIT_ENABLED: z.stringbool().default(true),
  /** Per client ip, before authentication, every /api/v1 request but sign-in (bad credentials included). */
  RATE_LIMIT_IP: rateSpec('6000/60s'),
  /** Per client ip: login, refresh and logout (they are anonymous). */
  RATE_LIMIT_AUTH: rateSpec('300/60s'),
  /** Per API key or user: GET. */
  RATE_LIMIT_READ: rateSpec('1200/60s'),
  /** Per API key or user: POST, PATCH, PUT, DELETE. */
  RATE_LIMIT_WRITE: rateSpec('600/60s'),
  /** Per client ip: WebSocket connects to /api/v1/stream. */
  RATE_LIMIT_STREAM: rateSpec('60/60s'),
};
