import { main, runService } from '@fleetplane/service-kit';
import { AppModule } from './app.module.js';
import { loadBackupConfig } from './config.js';

main(async () => {
  const config = loadBackupConfig();
  await runService({
    name: 'backup',
    module: AppModule.forRoot(config),
    config,
    grpc: { key: 'backup', url: `${config.HTTP_HOST}:${config.GRPC_PORT}` },
  });
});
