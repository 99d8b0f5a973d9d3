import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '@fleetplane/observability';
import { ClockModule } from '../clock/clock.js';
import { ConfigModule } from '../config/config.module.js';
import type { ServiceLifecycleConfig } from '../config/load-config.js';
import { MetricFactory } from '../metrics/metric-factory.js';

/** The service's name (`agent-hub`, `command`, …), for metric namespaces and logs. */
export const SERVICE_NAME = Symbol('SERVICE_NAME');

/**
 * What every service imports first: /health /ready /metrics (on METRICS_PORT
 * when the config sets one) and logs, its configuration, the clock and the
 * metric factory. Infrastructure modules
 * (Prisma, Redis, queues, NATS) follow in AppModule's imports; Nest closes
 * global modules in the reverse of that order, so list them from the most
 * fundamental (database) to the most outward (NATS, which drains first).
 */
@Module({})
export class ServiceCoreModule {
  static forRoot<C extends object>(opts: { service: string; config: Readonly<C> }): DynamicModule {
    // The serviceEnv settings, when the service's schema has them (METRICS_PORT unset: /metrics on HTTP_PORT).
    const { METRICS_PORT, METRICS_HOST, HTTP_HOST } = opts.config as Partial<ServiceLifecycleConfig>;
    const observability = { service: opts.service, metricsPort: METRICS_PORT, metricsHost: METRICS_HOST ?? HTTP_HOST };
    return {
      global: true,
      module: ServiceCoreModule,
      imports: [ObservabilityModule.forRoot(observability), ConfigModule.forRoot(opts.config), ClockModule],
      providers: [
        { provide: SERVICE_NAME, useValue: opts.service },
        { provide: MetricFactory, useValue: new MetricFactory(opts.service) },
      ],
      exports: [SERVICE_NAME, MetricFactory, ConfigModule, ClockModule],
    };
  }
}
