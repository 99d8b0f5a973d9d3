import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '@fleetplane/observability';
import { ClockModule } from '../clock/clock.js';
import { ConfigModule } from '../config/config.module.js';
import { MetricFactory } from '../metrics/metric-factory.js';

/** The service's name (`agent-hub`, `command`, …), for metric namespaces and logs. */
export const SERVICE_NAME = Symbol('SERVICE_NAME');

/**
 * What every service imports first: /health /ready /metrics and logs, its
 * configuration, the clock and the metric factory. Infrastructure modules
 * (Prisma, Redis, queues, NATS) follow in AppModule's imports; Nest closes
 * global modules in the reverse of that order, so list them from the most
 * fundamental (database) to the most outward (NATS, which drains first).
 */
@Module({})
export class ServiceCoreModule {
  static forRoot<C extends object>(opts: { service: string; config: Readonly<C> }): DynamicModule {
    return {
      global: true,
      module: ServiceCoreModule,
      imports: [ObservabilityModule.forRoot({ service: opts.service }), ConfigModule.forRoot(opts.config), ClockModule],
      providers: [
        { provide: SERVICE_NAME, useValue: opts.service },
        { provide: MetricFactory, useValue: new MetricFactory(opts.service) },
      ],
      exports: [SERVICE_NAME, MetricFactory, ConfigModule, ClockModule],
    };
  }
}
