import { main, runService } from '@fleetplane/service-kit';
import { AppModule } from './app.module.js';
import { loadCommandConfig } from './config.js';

main(async () => {
  const config = loadCommandConfig();
  await runService({
    name: 'command',
    module: AppModule.forRoot(config),
    config,
    grpc: { key: 'command', url: `${config.HTTP_HOST}:${config.GRPC_PORT}` },
  });
});
