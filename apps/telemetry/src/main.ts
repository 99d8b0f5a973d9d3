import { telemetryV1 } from '@fleetplane/contracts/grpc';
import { main, runService } from '@fleetplane/service-kit';
import { AppModule } from './app.module.js';
import { loadTelemetryConfig } from './config.js';

main(async () => {
  const config = loadTelemetryConfig();
  await runService({
    name: 'telemetry',
    module: AppModule.forRoot(config),
    config,
    grpc: {
      key: 'telemetry',
      url: `${config.HTTP_HOST}:${config.GRPC_PORT}`,
      // History pages are up to 2,000 points of nested messages each (BENCHMARKS.md).
      responseEncoders: {
        'TelemetryHistoryService.GetHistory': telemetryV1.GetHistoryResponse,
        'TelemetryHistoryService.StreamHistory': telemetryV1.StreamHistoryResponse,
      },
    },
  });
});
