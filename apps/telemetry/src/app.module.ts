import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceCoreModule } from '@fleetplane/service-kit';
import { NatsModule } from '@fleetplane/service-kit/nats';
import { RedisModule } from '@fleetplane/service-kit/redis';
import type { TelemetryConfig } from './config.js';
import { SamplesModule } from './samples/samples.module.js';

/** Infrastructure first (Nest closes it in reverse: NATS drains before Redis closes), then the features. */
@Module({})
export class AppModule {
  static forRoot(config: TelemetryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({ service: 'telemetry', config }),
        RedisModule.forRoot({ default: {} }),
        NatsModule.forRoot({ url: config.NATS_URL, name: 'telemetry' }),
        SamplesModule,
      ],
    };
  }
}
