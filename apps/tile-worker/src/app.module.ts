import { Module } from '@nestjs/common';
import { ObservabilityModule } from '@fleetplane/observability';

@Module({
  imports: [ObservabilityModule.forRoot({ service: 'tile-worker' })],
})
export class AppModule {}
