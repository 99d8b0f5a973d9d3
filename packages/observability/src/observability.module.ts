import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { HealthController, MetricsController } from './health/health.controller.js';
import { ReadinessRegistry } from './health/readiness.js';
import { HttpObservability } from './http/http-observability.js';
import { loggerOptions } from './logging/logger.js';
import { METRICS_LISTENER_OPTIONS, MetricsListener } from './metrics/metrics-listener.js';
import { initMetrics } from './metrics/registry.js';

const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

export interface ObservabilityOptions {
  service: string;
  /**
   * Serve /metrics on this port, on a listener of its own, and not on the HTTP
   * port (404 there). Unset: /metrics is a route of the HTTP port.
   */
  metricsPort?: number | undefined;
  /** Where the metrics listener binds; default 127.0.0.1. */
  metricsHost?: string | undefined;
}

/** /health, /ready, /metrics, pino request logs with trace ids, HTTP metrics and server span names for one service. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(opts: ObservabilityOptions): DynamicModule {
    initMetrics(opts.service);
    const ownPort = opts.metricsPort !== undefined;
    const metricsProviders: Provider[] = ownPort
      ? [{ provide: METRICS_LISTENER_OPTIONS, useValue: { port: opts.metricsPort, host: opts.metricsHost ?? '127.0.0.1' } }, MetricsListener]
      : [];
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            ...loggerOptions(opts.service),
            autoLogging: { ignore: (req) => QUIET_PATHS.has((req.url ?? '').split('?')[0] ?? '') },
          },
        }),
      ],
      controllers: ownPort ? [HealthController] : [HealthController, MetricsController],
      providers: [ReadinessRegistry, HttpObservability, ...metricsProviders],
      exports: [ReadinessRegistry],
    };
  }
}
