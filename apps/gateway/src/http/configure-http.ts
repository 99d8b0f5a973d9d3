import { NotFoundException, type INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import helmet from 'helmet';
import type { GatewayConfig } from '../config.js';
import { limitBeforeAuthentication } from '../rate-limit/http-rate-limit.js';
import { RATE_LIMIT_HEADERS } from '../rate-limit/rate-limit-headers.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { ApiExceptionFilter } from './api-exception.filter.js';
import { reasonPhrase } from './grpc-http.js';

export const API_PREFIX = 'api/v1';
/** Routes outside the prefix: the probes and metrics, and the API's description (which covers every version). */
const UNPREFIXED = ['health', 'ready', 'metrics', 'api/openapi.json', 'api/docs'];
const BODY_LIMIT = '64kb';

/** Under the prefix or one of the unprefixed routes, as Express matches them (any case, a trailing slash allowed). */
function isKnownPath(path: string): boolean {
  const p = path.toLowerCase().replace(/\/+$/, '');
  return p === `/${API_PREFIX}` || p.startsWith(`/${API_PREFIX}/`) || UNPREFIXED.some((u) => p === `/${u}`);
}

const CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: 'headers: are over the 16 KB limit' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'the request did not arrive in time' },
};

/**
 * A request Node's parser refuses (headers too large, malformed HTTP) never reaches Express;
 * Node would answer it with a bare status line. It gets the one error body instead (no
 * trace: no span was started for it).
 */
function answerClientErrorsAsJson(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, message } = CLIENT_ERRORS[err.code ?? ''] ?? { status: 400, message: 'the request is not valid HTTP' };
    const body = JSON.stringify({ statusCode: status, error: reasonPhrase(status), message, traceId: null });
    socket.end(
      `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/** Everything about the HTTP surface that is not a route: prefix, headers, limits, CORS, errors, WebSocket upgrades. */
export function configureHttp(nestApp: INestApplication, config: GatewayConfig): void {
  const app = nestApp as NestExpressApplication;
  const filter = new ApiExceptionFilter();
  if (config.TRUST_PROXY_HOPS > 0) app.set('trust proxy', config.TRUST_PROXY_HOPS);
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED });
  app.use(helmet());
  // Express answers a path outside the prefix and the excluded routes with an HTML page;
  // the prefix's own unknown routes already reach the filter (Nest's not-found handler).
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (isKnownPath(req.path)) return next();
    const { status, body } = filter.toHttp(new NotFoundException(`Cannot ${req.method} ${req.path}`));
    res.status(status).json(body);
  });
  // CORS before the limiter, so that a 429 also carries Access-Control-Allow-Origin and a browser can read it.
  if (config.CORS_ORIGINS.length > 0) {
    app.enableCors({
      origin: config.CORS_ORIGINS,
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-API-Key'],
      // A browser client can read its limits and how long to wait after a 429.
      exposedHeaders: [...RATE_LIMIT_HEADERS],
      credentials: false,
      maxAge: 600,
    });
  }
  // Before body parsing and authentication: a refused request costs one Redis call and nothing else.
  app.use(
    limitBeforeAuthentication(app.get(RateLimiter), (res, err) => {
      const { status, body } = filter.toHttp(err);
      res.status(status).json(body);
    }),
  );
  // Registered before Nest's defaults, which then skip JSON and urlencoded.
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  app.useGlobalFilters(filter);
  answerClientErrorsAsJson(app.getHttpServer());
  // The stream session parses and validates every frame itself (a bad one is answered
  // with an error frame and 1002); Nest's parser would drop bad frames silently.
  app.useWebSocketAdapter(new WsAdapter(app, { messageParser: () => undefined }));
}
