import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { configSchemaOf, envProblems } from '@fleetplane/deploy-manifests';
import { serviceEnv, shutdownDelayMs } from '@fleetplane/service-kit';
import { SERVICE_NODE_ARGS } from '@fleetplane/test-harness';
import { DATABASE_SERVICES, DEFAULT_FLEET_PORTS, REPO_ROOT, SERVICES } from '../fleet.js';
import { compose } from './compose.js';

// No Docker engine runs on these machines, so the deployment files are checked
// statically against the code: every variable compose sets is one the service
// reads, every required one is set, every value passes the service's own schema,
// and Prometheus scrapes every service where it listens.
const prometheus = parse(readFileSync(join(REPO_ROOT, 'infra/prometheus/prometheus.yml'), 'utf8')) as {
  scrape_configs: { static_configs: { targets: string[] }[] }[];
};
const dockerfile = readFileSync(join(REPO_ROOT, 'infra/docker/Dockerfile'), 'utf8');

// Compose interpolates ${VAR:-default} and ${VAR:?message} from the operator's .env:
// take the default where there is one, else a plausible stand-in.
const interpolate = (value: string) =>
  value.replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) =>
    kind === '-' ? (rest ?? '') : name === 'JWT_SECRET' ? 'x'.repeat(48) : `example-${name.toLowerCase()}`,
  );

/** Values for the variables a schema requires, taken from compose, so that its defaults can be read. */
const requiredStandIns = (schema: z.ZodObject) =>
  Object.fromEntries(
    Object.values(compose.services)
      .flatMap((s) => Object.entries(s.environment ?? {}))
      .filter(([k]) => k in schema.shape)
      .map(([k, v]) => [k, interpolate(String(v))]),
  );

describe('docker-compose.yml', () => {
  it('has the servers the services use, and every service', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['nats', 'redis', 'postgres', 'jaeger', 'prometheus', ...SERVICES]));
    expect(compose.services.nats!.command).toContain('-js');
  });

  it.each(SERVICES)('%s: builds from the shared Dockerfile with its own SERVICE', (service) => {
    const s = compose.services[service]!;
    expect(s.build).toMatchObject({ context: '.', dockerfile: 'infra/docker/Dockerfile', args: { SERVICE: service } });
    // The name the image is tagged with, the one infra/k8s runs (and its migration job's).
    expect(s.image).toBe(`fleetplane/${service}`);
    if (compose.services[`${service}-migrate`]) expect(compose.services[`${service}-migrate`]!.image).toBe(s.image);
    expect(existsSync(join(REPO_ROOT, 'apps', service, 'package.json'))).toBe(true);
  });

  it.each(SERVICES)('%s: sets only variables its config reads, all it requires, with valid values', async (service) => {
    const schema = await configSchemaOf(service);
    const env = Object.fromEntries(Object.entries(compose.services[service]!.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
    expect(envProblems(schema, { ...env, HTTP_HOST: '0.0.0.0' })).toEqual([]);
  });

  it.each(SERVICES)('%s: is given time to wait not-ready and drain before Docker kills it', async (service) => {
    const schema = await configSchemaOf(service);
    // The image sets NODE_ENV=production, so the service waits its production shutdown delay.
    const config = z.object(serviceEnv).parse(schema.parse({ ...requiredStandIns(schema), NODE_ENV: 'production' }));
    const grace = /^(\d+)s$/.exec(compose.services[service]!.stop_grace_period ?? '')?.[1];
    expect(grace, `${service} needs a stop_grace_period in seconds`).toBeDefined();
    expect(Number(grace) * 1000).toBeGreaterThan(shutdownDelayMs(config) + config.SHUTDOWN_TIMEOUT_MS);
  });

  it.each(DATABASE_SERVICES)('%s: migrations run first, with a migrator the image ships', (service) => {
    const job = compose.services[`${service}-migrate`]!;
    expect(job.command).toEqual(['node', 'node_modules/@fleetplane/prisma-migrate/bin/fleetplane-migrate.js', 'deploy']);
    expect(job.environment?.DATABASE_URL).toBe(compose.services[service]!.environment?.DATABASE_URL);
    expect(compose.services[service]!.depends_on).toMatchObject({ [`${service}-migrate`]: { condition: 'service_completed_successfully' } });
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'apps', service, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(pkg.dependencies?.['@fleetplane/prisma-migrate'], `${service} must ship @fleetplane/prisma-migrate in its production dependencies`).toBeDefined();
    expect(existsSync(join(REPO_ROOT, 'apps', service, 'prisma', 'migrations', 'migration_lock.toml'))).toBe(true);
  });

  it('gives each database-owning service its own database', () => {
    const urls = DATABASE_SERVICES.map((s) => compose.services[s]!.environment!.DATABASE_URL);
    expect(new Set(urls).size).toBe(DATABASE_SERVICES.length);
    const init = readFileSync(join(REPO_ROOT, 'infra/postgres/init-databases.sql'), 'utf8');
    for (const url of urls) expect(init).toContain(`CREATE DATABASE ${url!.split('/').pop()};`);
  });

  it("has backup read every source as backup_reader, the read-only role postgres's init script creates", () => {
    const sources = JSON.parse(compose.services.backup!.environment!.BACKUP_SOURCES!) as Record<string, string>;
    expect(Object.keys(sources).length).toBeGreaterThan(0);
    for (const url of Object.values(sources)) expect(url).toMatch(/^postgresql:\/\/backup_reader:/);
    expect(compose.services.postgres!.volumes).toContain('./infra/postgres/init-backup-reader.sh:/docker-entrypoint-initdb.d/20-backup-reader.sh:ro');
    expect(compose.services.postgres!.environment!.BACKUP_READER_PASSWORD).toBeDefined();
  });

  it('points gRPC clients at the ports their servers listen on', () => {
    const env = (s: string) => compose.services[s]!.environment!;
    expect(env('command').AGENT_HUB_GRPC_URL).toBe(`agent-hub:${env('agent-hub').GRPC_PORT}`);
    expect(env('gateway').AGENT_HUB_GRPC_URL).toBe(`agent-hub:${env('agent-hub').GRPC_PORT}`);
    expect(env('gateway').COMMAND_GRPC_URL).toBe(`command:${env('command').GRPC_PORT}`);
    expect(env('gateway').TILES_GRPC_URL).toBe(`tile-worker:${env('tile-worker').GRPC_PORT}`);
    expect(env('gateway').TELEMETRY_GRPC_URL).toBe(`telemetry:${env('telemetry').GRPC_PORT}`);
    expect(env('telemetry').AGENT_HUB_GRPC_URL).toBe(`agent-hub:${env('agent-hub').GRPC_PORT}`);
    expect(env('tile-worker').TELEMETRY_GRPC_URL).toBe(`telemetry:${env('telemetry').GRPC_PORT}`);
    expect(env('tile-worker').AGENT_HUB_GRPC_URL).toBe(`agent-hub:${env('agent-hub').GRPC_PORT}`);
  });
});

describe('infra/prometheus/prometheus.yml', () => {
  it('scrapes every service on its metrics port where it has one, else its HTTP port, as compose gives them and as make up uses them', () => {
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    const env = (s: string) => compose.services[s]!.environment!;
    const expected = SERVICES.map((s) => `${s}:${env(s).METRICS_PORT ?? env(s).HTTP_PORT}`);
    expect(targets.sort()).toEqual(expected.sort());
    const localDefaults = [
      DEFAULT_FLEET_PORTS.gatewayMetrics,
      DEFAULT_FLEET_PORTS.agentHubMetrics,
      DEFAULT_FLEET_PORTS.commandHttp,
      DEFAULT_FLEET_PORTS.telemetryHttp,
      DEFAULT_FLEET_PORTS.tileWorkerHttp,
      DEFAULT_FLEET_PORTS.backupHttp,
    ];
    expect(targets.map((t) => Number(t.split(':')[1])).sort()).toEqual(localDefaults.sort());
  });

  it.each(['gateway', 'agent-hub'])('%s: has a metrics port of its own by default, the one compose sets, never published', async (service) => {
    const schema = await configSchemaOf(service);
    // The schema's own defaults for the two ports (the stand-ins may come from another service).
    const standIns = Object.entries(requiredStandIns(schema)).filter(([k]) => k !== 'METRICS_PORT' && k !== 'HTTP_PORT');
    const defaults = schema.parse(Object.fromEntries(standIns)) as { METRICS_PORT?: number; HTTP_PORT: number };
    expect(defaults.METRICS_PORT).toBeDefined();
    expect(defaults.METRICS_PORT).not.toBe(defaults.HTTP_PORT);
    expect(compose.services[service]!.environment!.METRICS_PORT).toBe(String(defaults.METRICS_PORT));
    const published = (compose.services[service]!.ports ?? []).map((p) => p.split(':').at(-1));
    expect(published).not.toContain(String(defaults.METRICS_PORT));
  });
});

describe('infra/docker/Dockerfile', () => {
  it('is multi-stage, prunes the workspace with turbo, and runs as a non-root user with the instrumentation loaded', () => {
    expect(dockerfile).toMatch(/turbo@[\d.]+ prune @fleetplane\/\$\{SERVICE\} --docker/);
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain(`CMD ${JSON.stringify(['node', ...SERVICE_NODE_ARGS]).replace(/","/g, '", "')}`);
    const nodeVersion = readFileSync(join(REPO_ROOT, 'infra/local/bootstrap.sh'), 'utf8').match(/NODE_VERSION=([\d.]+)/)?.[1];
    expect(dockerfile).toContain(`ARG NODE_VERSION=${nodeVersion}`);
  });

  it("gives the backup image pg_dump and pg_restore of compose's PostgreSQL major version (they must be at least the server's), and no other image", () => {
    const serverMajor = /^postgres:(\d+)/.exec(compose.services.postgres!.image!)?.[1];
    expect(serverMajor).toBeDefined();
    expect(dockerfile).toContain(`ARG PG_CLIENT_MAJOR=${serverMajor}`);
    const install = /RUN if \[ "\$SERVICE" = "(\w[\w-]*)" \]; then[\s\S]*?postgresql-client-\$\{PG_CLIENT_MAJOR\}[\s\S]*?fi$/m.exec(dockerfile);
    expect(install?.[1]).toBe('backup');
    // Installed before the image drops to the unprivileged user.
    expect(dockerfile.indexOf(install![0])).toBeLessThan(dockerfile.indexOf('USER node'));
  });
});

describe('docker-compose.yml: observability and the NATS cluster profile', () => {
  /** `./host:/container[:ro]` bind mounts of a service, host path resolved. */
  const binds = (service: string) =>
    (compose.services[service]!.volumes ?? [])
      .filter((v) => v.startsWith('./'))
      .map((v) => {
        const [host, target] = v.split(':');
        return { host: join(REPO_ROOT, host!), target: target! };
      });

  it.each(['prometheus', 'grafana'])('%s: mounts only files and directories that exist', (service) => {
    expect(binds(service).length).toBeGreaterThan(0);
    for (const b of binds(service)) expect(existsSync(b.host), b.host).toBe(true);
  });

  it('has Prometheus load the rules directory it mounts, which holds the rule files', () => {
    const rules = (prometheus as unknown as { rule_files: string[] }).rule_files;
    const mount = binds('prometheus').find((b) => b.host.endsWith('infra/prometheus/rules'))!;
    expect(rules).toEqual([`${mount.target}/*.yml`]);
    expect(readdirSync(mount.host).filter((f) => f.endsWith('.yml')).length).toBeGreaterThan(0);
  });

  it('has Grafana provisioned with the Prometheus service as data source and the dashboards directory it mounts', () => {
    const mount = (suffix: string) => binds('grafana').find((b) => b.host.endsWith(suffix))!;
    const read = (dir: string) =>
      parse(readFileSync(join(mount(dir).host, 'fleetplane.yml'), 'utf8')) as Record<string, { url?: string; options?: { path: string } }[]>;
    expect(mount('provisioning/datasources').target).toBe('/etc/grafana/provisioning/datasources');
    expect(mount('provisioning/dashboards').target).toBe('/etc/grafana/provisioning/dashboards');
    expect(read('provisioning/datasources').datasources![0]!.url).toBe(`http://prometheus:${compose.services.prometheus!.ports![0]!.split(':')[1]}`);
    expect(read('provisioning/dashboards').providers![0]!.options!.path).toBe(mount('infra/grafana/dashboards').target);
    expect(readdirSync(mount('infra/grafana/dashboards').host).filter((f) => f.endsWith('.json')).length).toBe(SERVICES.length + 1);
  });

  it('has a nats-cluster profile of three JetStream servers of the same image, each routed to the other two', () => {
    const nodes = ['nats-1', 'nats-2', 'nats-3'];
    for (const node of nodes) {
      const s = compose.services[node]!;
      expect(s.profiles).toEqual(['nats-cluster']);
      expect(s.image).toBe(compose.services.nats!.image);
      const args = s.command!;
      expect(args).toContain('-js');
      expect(args[args.indexOf('--name') + 1]).toBe(node);
      expect(args[args.indexOf('--cluster_name') + 1]).toBe('fleetplane');
      const routes = args[args.indexOf('--routes') + 1]!.split(',');
      expect(routes.sort()).toEqual(nodes.filter((n) => n !== node).map((n) => `nats://${n}:6222`));
      const volume = s.volumes![0]!.split(':')[0]!;
      expect(compose.volumes).toHaveProperty(volume);
    }
    // Profiled: `docker compose up` alone starts the single server only.
    expect(compose.services.nats!.profiles).toBeUndefined();
  });
});
