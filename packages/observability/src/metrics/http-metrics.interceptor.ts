import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { finalize, type Observable } from 'rxjs';
import { metricsRegistry } from './registry.js';

const requestDuration = new Histogram({
  name: 'http_server_request_duration_seconds',
  help: 'Duration of HTTP server requests, by route template and status code',
  labelNames: ['http_request_method', 'http_route', 'http_response_status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

/** Times HTTP handlers by route template (never the raw URL, which would explode cardinality). */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const http = ctx.switchToHttp();
    const req = http.getRequest<{ method: string; route?: { path?: string } }>();
    const stop = requestDuration.startTimer();
    return next.handle().pipe(
      finalize(() => {
        const res = http.getResponse<{ statusCode: number }>();
        stop({ http_request_method: req.method, http_route: req.route?.path ?? 'unmatched', http_response_status_code: res.statusCode });
      }),
    );
  }
}
