import { Module, type DynamicModule } from '@nestjs/common';
import { ReadinessRegistry } from '@fleetplane/observability';
import { NatsClient } from './nats.client.js';

@Module({})
export class NatsModule {
  /** Connects at start-up (a service that cannot reach NATS should not pretend to run) and reports on /ready. */
  static forRoot(opts: {
    /** One server URL or a comma-separated list (NATS_URL). */
    url: string;
    name: string;
    /** JETSTREAM_REPLICAS: the replicas of every stream this service creates (default 1). */
    replicas?: number;
  }): DynamicModule {
    return {
      global: true,
      module: NatsModule,
      providers: [
        {
          provide: NatsClient,
          inject: [ReadinessRegistry],
          useFactory: async (readiness: ReadinessRegistry) => {
            const client = new NatsClient();
            await client.connect(opts.url, opts.name, opts.replicas === undefined ? {} : { replicas: opts.replicas });
            readiness.register('nats', () => client.ping());
            return client;
          },
        },
      ],
      exports: [NatsClient],
    };
  }
}
