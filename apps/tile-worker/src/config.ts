import { z } from 'zod';
import { loadConfig, port, serviceEnv } from '@fleetplane/service-kit';

export const tileWorkerConfigSchema = z.object({
  ...serviceEnv,
  HTTP_PORT: port(4400),
});
export type TileWorkerConfig = z.infer<typeof tileWorkerConfigSchema>;
export const loadTileWorkerConfig = () => loadConfig(tileWorkerConfigSchema);
