import { main, runService } from '@fleetplane/service-kit';
import { AppModule } from './app.module.js';
import { loadTelemetryConfig } from './config.js';

main(async () => {
  const config = loadTelemetryConfig();
  await runService({
    name: 'telemetry',
    module: AppModule.forRoot(config),
    config,
    grpc: { key: 'telemetry', url: `${config.HTTP_HOST}:${config.GRPC_PORT}` },
  });
});
