import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import { httpRequestDuration } from '../metrics/http-metrics.js';
import { routeTemplate, UNMATCHED_ROUTE } from './route-template.js';

/**
 * nginx's code for "the client closed the connection before the response was
 * sent": such requests are still counted (a handler slow enough for clients to
 * give up must show in the histogram), under a status no server really sends.
 */
const CLIENT_CLOSED_REQUEST = 499;

const observed = new WeakSet<Server>();

/**
 * Records every request of `server` once its response is done, whatever answered
 * it (a handler, a guard's 401/403, an exception filter, the body parser, the
 * framework's 404), with the real status code and the matched route template:
 * - the `http_server_request_duration_seconds` histogram;
 * - the active HTTP server span (made by the http instrumentation) gets the
 *   OTel semconv name `{method} {http.route}` and the `http.route` attribute.
 * A `request` listener put before the framework's, so it runs first and inside
 * the instrumentation's context (which holds the server span); the route is read
 * on `finish`, when the router has set it, and before the instrumentation ends
 * the span on `close`. Idempotent per server.
 */
export function observeHttpServer(server: Server): void {
  if (observed.has(server)) return;
  observed.add(server);
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const stop = httpRequestDuration.startTimer();
    const span = trace.getActiveSpan();
    let done = false;
    const record = (finished: boolean) => {
      if (done) return;
      done = true;
      const method = req.method ?? 'GET';
      const route = routeTemplate(req);
      stop({
        http_request_method: method,
        http_route: route ?? UNMATCHED_ROUTE,
        http_response_status_code: finished ? res.statusCode : CLIENT_CLOSED_REQUEST,
      });
      if (route && span?.isRecording()) {
        span.updateName(`${method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
    };
    res.once('finish', () => record(true));
    res.once('close', () => record(res.writableFinished));
  });
}
