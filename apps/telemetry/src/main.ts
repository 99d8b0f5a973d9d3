import { grpcServerOptions, main, runService } from '@fleetplane/service-kit';
import { AppModule } from './app.module.js';
import { loadTelemetryConfig } from './config.js';

main(async () => {
  const config = loadTelemetryConfig();
  await runService({
    name: 'telemetry',
    module: AppModule.forRoot(config),
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT },
    grpc: grpcServerOptions('telemetry', `${config.HTTP_HOST}:${config.GRPC_PORT}`),
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
});
