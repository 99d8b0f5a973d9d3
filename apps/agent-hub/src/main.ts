import { WsAdapter } from '@nestjs/platform-ws';
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
    configure: (app) => {
      // The agent protocol session parses and validates every frame itself
      // (it must answer a bad frame with ERROR + 1002). Nest's default parser
      // would JSON.parse each frame a second time and silently drop bad ones,
      // so it is replaced by one that hands nothing to Nest's message routing.
      app.useWebSocketAdapter(new WsAdapter(app, { messageParser: () => undefined }));
    },
  });
});
