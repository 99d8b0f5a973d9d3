import { main, runService } from '@fleetplane/service-kit';
import { AppModule } from './app.module.js';
import { loadHubConfig } from './config.js';

main(async () => {
  const config = loadHubConfig();
  await runService({
    name: 'agent-hub',
    module: AppModule.forRoot(config),
    config,
    grpc: { key: 'agentHub', url: `${config.HTTP_HOST}:${config.GRPC_PORT}` },
  });
});
