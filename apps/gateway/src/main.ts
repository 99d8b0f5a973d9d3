import { WsAdapter } from '@nestjs/platform-ws';
import { main, runService } from '@fleetplane/service-kit';
import { AppModule } from './app.module.js';
import { loadGatewayConfig } from './config.js';
import { configureHttp } from './http/configure-http.js';

main(async () => {
  const config = loadGatewayConfig();
  await runService({
    name: 'gateway',
    module: AppModule.forRoot(config),
    config,
    configure: (app) => {
      configureHttp(app, config);
      // The stream session parses and validates every frame itself (a bad one is answered
      // with an error frame and 1002); Nest's parser would drop bad frames silently.
      app.useWebSocketAdapter(new WsAdapter(app, { messageParser: () => undefined }));
    },
  });
});
