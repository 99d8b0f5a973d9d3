import { Global, Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { HealthController } from './health/health.controller.js';
import { ReadinessRegistry } from './health/readiness.js';
import { HttpObservability } from './http/http-observability.js';
import { loggerOptions } from './logging/logger.js';
import { initMetrics } from './metrics/registry.js';

const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

/** /health, /ready, /metrics, pino request logs with trace ids, HTTP metrics and server span names for one service. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(opts: { service: string }): DynamicModule {
    initMetrics(opts.service);
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
      controllers: [HealthController],
      providers: [ReadinessRegistry, HttpObservability],
      exports: [ReadinessRegistry],
    };
  }
}
