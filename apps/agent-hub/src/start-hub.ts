import { Logger } from '@nestjs/common';
import { main, runService } from '@fleetplane/service-kit';
import { AppModule } from './app.module.js';
import { loadHubConfig } from './config.js';
import type { HeldPort } from './startup/starting-listener.js';

/** Runs the hub; `held` is the port's starting listener, released just before the hub listens itself. */
export function startHub(held?: HeldPort): void {
  main(async () => {
    const config = loadHubConfig();
    await runService({
      name: 'agent-hub',
      module: AppModule.forRoot(config),
      config,
      grpc: { key: 'agentHub', url: `${config.HTTP_HOST}:${config.GRPC_PORT}` },
      // Initialised by now (the upgrade handler is in place): the port goes to the hub's own server.
      configure: async () => {
        const refused = (await held?.release()) ?? 0;
        if (refused > 0) new Logger('AgentSocket').log(`refused ${refused} upgrades (503 not ready) while starting`);
      },
    });
  });
}
