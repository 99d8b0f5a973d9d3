import { main, runService } from '@fleetplane/service-kit';
import { AppModule } from './app.module.js';
import { loadGatewayConfig } from './config.js';
import { configureHttp } from './http/configure-http.js';

main(async () => {
  const config = loadGatewayConfig();
  await runService({ name: 'gateway', module: AppModule.forRoot(config), config, configure: (app) => configureHttp(app, config) });
});
