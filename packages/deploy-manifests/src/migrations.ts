import { Job } from 'kubernetes-models/batch/v1';
import { baseContainer, podSecurityContext, scratchVolumes, secretEnv } from './container.js';
import { labels } from './labels.js';
import { NATS_URL, type ServiceSpec } from './services.js';

/** The image's migrator, as docker-compose.yml's `<service>-migrate` jobs run it. */
export const MIGRATE_COMMAND = ['node', 'node_modules/@fleetplane/prisma-migrate/bin/fleetplane-migrate.js', 'deploy'];

/**
 * A service's migrations as a Job of its own image, applied (and waited for) before the
 * Deployments roll out: `prisma migrate deploy` semantics, idempotent, so a rerun is harmless.
 * Jobs are immutable, so an upgrade deletes the previous ones first (infra/README.md).
 */
export function migrationJob(spec: ServiceSpec): Job {
  const name = `${spec.name}-migrate`;
  return new Job({
    metadata: { name, labels: labels(spec.name, 'migration') },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: 600,
      template: {
        metadata: { labels: labels(spec.name, 'migration') },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: podSecurityContext,
          containers: [
            {
              ...baseContainer(spec),
              name: 'migrate',
              // args, not command: the image's entrypoint stays, as compose's `command` keeps it.
              args: MIGRATE_COMMAND,
              env: [
                ...secretEnv(spec, ['DATABASE_URL']),
                // Pending migrations are announced first (migration.starting): backup policies with that
                // trigger take their backup, and the Job waits for it (MIGRATE_BACKUP_WAIT_SECONDS, 300 s,
                // inside activeDeadlineSeconds). Not for backup itself: its catalogue is not a source.
                ...(spec.name === 'backup'
                  ? []
                  : [
                      { name: 'MIGRATE_NATS_URL', value: NATS_URL },
                      { name: 'MIGRATE_SERVICE', value: spec.name },
                    ]),
              ],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
            },
          ],
          volumes: scratchVolumes(spec),
        },
      },
    },
  });
}
