import { main, runService, grpcServerOptions } from '@fleetplane/service-kit';
import { AppModule } from './app.module.js';
import { loadCommandConfig } from './config.js';

main(async () => {
  const config = loadCommandConfig();
  await runService({
    name: 'command',
    module: AppModule.forRoot(config),
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT },
    grpc: grpcServerOptions('command', `${config.HTTP_HOST}:${config.GRPC_PORT}`),
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
});
