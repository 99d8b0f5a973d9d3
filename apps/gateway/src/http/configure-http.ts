import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import helmet from 'helmet';
import type { GatewayConfig } from '../config.js';
import { ApiExceptionFilter } from './api-exception.filter.js';

export const API_PREFIX = 'api/v1';
/** Routes outside the prefix: the probes and metrics, and the API's description (which covers every version). */
const UNPREFIXED = ['health', 'ready', 'metrics', 'api/openapi.json', 'api/docs'];
const BODY_LIMIT = '64kb';

/** Everything about the HTTP surface that is not a route: prefix, headers, limits, CORS, errors, WebSocket upgrades. */
export function configureHttp(nestApp: INestApplication, config: GatewayConfig): void {
  const app = nestApp as NestExpressApplication;
  if (config.TRUST_PROXY_HOPS > 0) app.set('trust proxy', config.TRUST_PROXY_HOPS);
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED });
  app.use(helmet());
  // Registered before Nest's defaults, which then skip JSON and urlencoded.
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  if (config.CORS_ORIGINS.length > 0) {
    app.enableCors({
      origin: config.CORS_ORIGINS,
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-API-Key'],
      credentials: false,
      maxAge: 600,
    });
  }
  app.useGlobalFilters(new ApiExceptionFilter());
  // The stream session parses and validates every frame itself (a bad one is answered
  // with an error frame and 1002); Nest's parser would drop bad frames silently.
  app.useWebSocketAdapter(new WsAdapter(app, { messageParser: () => undefined }));
}
