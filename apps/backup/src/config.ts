import { z } from 'zod';
import { loadConfig, port, serviceEnv } from '@fleetplane/service-kit';

export const backupConfigSchema = z.object({
  ...serviceEnv,
  HTTP_PORT: port(4500),
});
export type BackupConfig = z.infer<typeof backupConfigSchema>;
export const loadBackupConfig = () => loadConfig(backupConfigSchema);
