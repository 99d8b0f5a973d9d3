import { main, runService } from '@fleetplane/service-kit';
import { AppModule } from './app.module.js';
import { loadTileWorkerConfig } from './config.js';

main(async () => {
  const config = loadTileWorkerConfig();
  await runService({
    name: 'tile-worker',
    module: AppModule.forRoot(config),
    config,
    grpc: { key: 'tiles', url: `${config.HTTP_HOST}:${config.GRPC_PORT}` },
  });
});
