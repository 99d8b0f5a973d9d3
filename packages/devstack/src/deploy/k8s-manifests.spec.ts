import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AGENT_WS_PATH } from '@fleetplane/contracts';
import {
  buildKustomization,
  configSchemaOf,
  envProblems,
  imageEnv,
  MIGRATE_COMMAND,
  NATS_IMAGE,
  natsConfig,
  OVERLAYS,
  SERVICE_SPECS,
  SERVICES,
  validateKubeObject,
  type KubeObject,
  type ServiceName,
} from '@fleetplane/deploy-manifests';
import { serviceEnv, shutdownDelayMs } from '@fleetplane/service-kit';
import { REPO_ROOT } from '../fleet.js';
import { compose } from './compose.js';

// No Kubernetes runs on these machines: the generated tree (infra/k8s) is built the way
// kustomize builds it and every object checked statically against the code it deploys.
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: unknown };
}
interface Probe {
  httpGet?: { path: string; port: number | string };
  grpc?: { port: number };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
}
interface PodSpec {
  containers: Container[];
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
}
type Workload = KubeObject & { spec: { template: { spec: PodSpec } } };
type NetworkPolicyRule = { from: { podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: unknown }[]; ports: { port: number }[] };

const trees = [...OVERLAYS.map((o) => `infra/k8s/overlays/${o.name}`), ...OVERLAYS.map((o) => `infra/k8s/overlays/${o.name}/migrations`)] as const;
const built = new Map(trees.map((t) => [t, buildKustomization(join(REPO_ROOT, t))] as const));
const find = (objects: KubeObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const serviceOfImage = (image: string) => /fleetplane\/([a-z-]+)(:|$)/.exec(image)?.[1] as ServiceName | undefined;

/** Secret values are not in the repository: the spec's example stands in, by Secret name and key. */
const secretExamples = new Map(SERVICES.flatMap((s) => Object.values(SERVICE_SPECS[s].secrets)).map((v) => [`${v.secret}/${v.key}`, v.example] as const));

/** The environment a container sees in the cluster: the image's ENV, its ConfigMaps, its env entries. */
function containerEnv(objects: KubeObject[], service: string, c: Container): Record<string, string> {
  const env: Record<string, string> = { ...imageEnv(service) };
  for (const from of c.envFrom ?? []) {
    const cm = find(objects, 'ConfigMap', from.configMapRef!.name) as (KubeObject & { data: Record<string, string> }) | undefined;
    expect(cm, `ConfigMap ${from.configMapRef?.name} of ${service}`).toBeDefined();
    Object.assign(env, cm!.data);
  }
  for (const v of c.env ?? []) {
    const ref = v.valueFrom?.secretKeyRef;
    if (ref) {
      expect(secretExamples.has(`${ref.name}/${ref.key}`), `${service}: ${v.name} from Secret ${ref.name}/${ref.key}`).toBe(true);
      env[v.name] = secretExamples.get(`${ref.name}/${ref.key}`)!;
    } else env[v.name] = v.value!;
  }
  return env;
}

const source = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
/** The source of a service's `runService({ … })` call (in main.ts, or the module main.ts loads it from). */
const runServiceCalls = (service: string): string[] => {
  const walk = (dir: string): string[] =>
    readdirSync(join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [`${dir}/${e.name}`] : [],
    );
  return walk(`apps/${service}/src`).flatMap((f) => [...source(f).matchAll(/\brunService\(\{[\s\S]*?\n\s*\}\);/g)].map((m) => m[0]));
};
/** The HTTP paths service-kit's HealthController serves (packages/observability), read from its decorators. */
const healthPaths = [...source('packages/observability/src/health/health.controller.ts').matchAll(/@Get\('([a-z]+)'\)/g)].map((m) => `/${m[1]}`);

describe.each(trees)('%s', (tree) => {
  const objects = built.get(tree)!;

  it('builds (every resource and patch it names exists, every patch has a target) into objects valid against the Kubernetes OpenAPI schemas', () => {
    expect(objects.length).toBeGreaterThan(0);
    const invalid = objects.flatMap((o) => {
      try {
        validateKubeObject(o);
        return [];
      } catch (err) {
        return [(err as Error).message];
      }
    });
    expect(invalid).toEqual([]);
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size, 'no object twice').toBe(names.length);
    expect(new Set(objects.map((o) => o.metadata.namespace)).size).toBe(1);
  });

  it("gives every container an environment its service's config schema accepts: nothing unknown, nothing required missing, nothing invalid", async () => {
    const workloads = objects.filter((o): o is Workload => o.kind === 'Deployment' || o.kind === 'Job');
    expect(workloads.length).toBeGreaterThan(0);
    for (const w of workloads) {
      for (const c of w.spec.template.spec.containers) {
        const service = serviceOfImage(c.image)!;
        const schema = await configSchemaOf(service);
        const env = containerEnv(objects, service, c);
        if (w.kind === 'Job') {
          // The migrator reads DATABASE_URL and, to announce its migrations to backup, MIGRATE_NATS_URL and MIGRATE_SERVICE.
          const announces = service !== 'backup';
          expect(Object.keys(env).filter((k) => !(k in imageEnv(service)))).toEqual([
            'DATABASE_URL',
            ...(announces ? ['MIGRATE_NATS_URL', 'MIGRATE_SERVICE'] : []),
          ]);
          expect((schema.shape.DATABASE_URL as z.ZodType).safeParse(env.DATABASE_URL).success).toBe(true);
          if (announces) expect([env.MIGRATE_SERVICE, (schema.shape.NATS_URL as z.ZodType).safeParse(env.MIGRATE_NATS_URL).success]).toEqual([service, true]);
        } else expect(envProblems(schema, env), `${w.metadata.name}'s environment`).toEqual([]);
      }
    }
  });
});

describe('infra/k8s/overlays/*: the services', () => {
  const prod = built.get('infra/k8s/overlays/prod')!;
  const deployment = (s: ServiceName) => find(prod, 'Deployment', s) as Workload;
  const container = (s: ServiceName) => deployment(s).spec.template.spec.containers[0]!;
  const env = (s: ServiceName) => containerEnv(prod, s, container(s));

  it('has a Deployment, Service, ServiceAccount, PodDisruptionBudget, HorizontalPodAutoscaler and ConfigMap per service, and a migration Job per database', () => {
    for (const s of SERVICES) {
      for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget', 'HorizontalPodAutoscaler']) {
        expect(find(prod, kind, s), `${kind}/${s}`).toBeDefined();
      }
      expect(deployment(s).spec.template.spec.serviceAccountName).toBe(s);
    }
    const jobs = built.get('infra/k8s/overlays/prod/migrations')!.filter((o) => o.kind === 'Job');
    const databaseServices = SERVICES.filter((s) => compose.services[`${s}-migrate`]);
    expect(jobs.map((j) => j.metadata.name).sort()).toEqual(databaseServices.map((s) => `${s}-migrate`).sort());
  });

  it.each(SERVICES)('%s: runs the image compose builds, with the ports its config and compose give it', (s) => {
    const c = container(s);
    expect(c.image.split(':')[0]).toBe(compose.services[s]!.image);
    const e = env(s);
    const composeEnv = compose.services[s]!.environment!;
    const ports = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    const expected = { http: e.HTTP_PORT, metrics: e.METRICS_PORT, grpc: e.GRPC_PORT };
    for (const [name, value] of Object.entries(expected)) expect(ports[name] === undefined ? undefined : String(ports[name]), `${s} ${name} port`).toBe(value);
    for (const v of ['HTTP_PORT', 'METRICS_PORT', 'GRPC_PORT']) expect(e[v], `${s} ${v} as in compose`).toBe(composeEnv[v]);
    // The Service forwards exactly those ports, by name.
    const svc = find(prod, 'Service', s) as KubeObject & { spec: { ports: { name: string; port: number; targetPort: string }[] } };
    expect(Object.fromEntries(svc.spec.ports.map((p) => [p.targetPort, p.port]))).toEqual(ports);
  });

  it.each(SERVICES)('%s: reaches every gRPC upstream at a Service and port that exist, and only Services of the namespace', (s) => {
    for (const [k, v] of Object.entries(env(s)).filter(([k]) => k.endsWith('_GRPC_URL'))) {
      const [host, port] = v.split(':');
      const upstream = find(prod, 'Service', host!) as (KubeObject & { spec: { ports: { name: string; port: number }[] } }) | undefined;
      expect(upstream, `${s} ${k}=${v}`).toBeDefined();
      expect(upstream!.spec.ports.find((p) => p.name === 'grpc')?.port, `${s} ${k}=${v}`).toBe(Number(port));
    }
  });

  it.each(SERVICES)('%s: probes paths the service serves: /health (liveness) and /ready (readiness) on its HTTP port, grpc.health.v1 on its gRPC port', (s) => {
    expect(healthPaths).toEqual(expect.arrayContaining(['/health', '/ready']));
    const c = container(s);
    const http = Number(env(s).HTTP_PORT);
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/health', port: http });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/ready', port: http });
    // Only a service that starts a gRPC server (runService with `grpc`) has the health service on it.
    const starts = runServiceCalls(s);
    expect(starts.length, `${s} starts with one runService call`).toBe(1);
    const servesGrpc = /\bgrpc: \{/.test(starts[0]!);
    expect(servesGrpc).toBe(env(s).GRPC_PORT !== undefined);
    if (servesGrpc) expect(c.startupProbe?.grpc).toEqual({ port: Number(env(s).GRPC_PORT) });
    else expect(c.startupProbe?.httpGet).toEqual({ path: '/health', port: http });
  });

  it("probes liveness where the image's own HEALTHCHECK does, and the migrator the Jobs run is in the package the image ships", () => {
    expect(source('infra/docker/Dockerfile')).toMatch(/^HEALTHCHECK .*process\.env\.HTTP_PORT\)\+'\/health'/m);
    const bin = MIGRATE_COMMAND[1]!.replace('node_modules/@fleetplane/prisma-migrate/', 'packages/prisma-migrate/');
    expect(source(bin).length).toBeGreaterThan(0);
  });

  it('keeps the health paths off the gateway API prefix, where the probes and the HealthController expect them', () => {
    expect(source('apps/gateway/src/http/configure-http.ts')).toMatch(/UNPREFIXED = \['health', 'ready', 'metrics'/);
    expect(source('packages/service-kit/src/grpc/grpc-server.ts')).toContain('health.addToServer(server)');
  });

  it.each(SERVICES)('%s: gives the pod time for preStop, the not-ready delay and the drain before kubelet kills it', async (s) => {
    const schema = await configSchemaOf(s);
    const config = z.object(serviceEnv).parse(schema.parse(env(s)));
    const pod = deployment(s).spec.template.spec;
    const preStop = pod.containers[0]!.lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect(preStop).toBeGreaterThan(0);
    expect(shutdownDelayMs(config)).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(preStop * 1000 + shutdownDelayMs(config) + config.SHUTDOWN_TIMEOUT_MS);
  });

  it('runs the migrations with the migrator compose runs, on the same database URL secret the service reads', () => {
    const jobs = built.get('infra/k8s/overlays/prod/migrations')!.filter((o): o is Workload => o.kind === 'Job');
    for (const job of jobs) {
      const service = job.metadata.name.replace(/-migrate$/, '') as ServiceName;
      const c = job.spec.template.spec.containers[0]!;
      expect(c.args).toEqual(compose.services[`${service}-migrate`]!.command);
      expect(c.args).toEqual(MIGRATE_COMMAND);
      expect(c.image).toBe(container(service).image);
      expect(c.env!.filter((v) => v.name === 'DATABASE_URL')).toEqual(container(service).env!.filter((v) => v.name === 'DATABASE_URL'));
      // Announced on the NATS the service itself uses.
      if (service !== 'backup') expect(c.env!.find((v) => v.name === 'MIGRATE_NATS_URL')?.value).toBe(env(service).NATS_URL);
    }
  });

  it('replicates every JetStream stream on all NATS servers in prod (JETSTREAM_REPLICAS of each service that reads it), one copy in dev', async () => {
    const nats = find(prod, 'StatefulSet', 'nats') as KubeObject & { spec: { replicas: number } };
    const dev = built.get('infra/k8s/overlays/dev')!;
    for (const s of SERVICES) {
      const schema = await configSchemaOf(s);
      const devEnv = containerEnv(dev, s, (find(dev, 'Deployment', s) as Workload).spec.template.spec.containers[0]!);
      if ('JETSTREAM_REPLICAS' in schema.shape) {
        expect(env(s).JETSTREAM_REPLICAS, s).toBe(String(nats.spec.replicas));
        expect(devEnv.JETSTREAM_REPLICAS, s).toBeUndefined();
      } else expect(env(s).JETSTREAM_REPLICAS, s).toBeUndefined();
    }
  });

  it('scales agent-hub on the connected agents per pod (the hub gauge) and CPU, every other service on CPU', () => {
    for (const s of SERVICES) {
      const hpa = find(prod, 'HorizontalPodAutoscaler', s) as KubeObject & {
        spec: { minReplicas: number; scaleTargetRef: { name: string }; metrics: { type: string; pods?: { metric: { name: string } } }[] };
      };
      expect(hpa.spec.scaleTargetRef.name).toBe(s);
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      const types = hpa.spec.metrics.map((m) => (m.type === 'Pods' ? m.pods!.metric.name : m.type));
      expect(types).toEqual(s === 'agent-hub' ? ['fleetplane_agent_hub_connected_agents', 'Resource'] : ['Resource']);
    }
    expect(source('apps/agent-hub/src/metrics/hub-metrics.ts')).toContain("name: 'connected_agents'");
  });
});

describe('infra/k8s: the network', () => {
  const prod = built.get('infra/k8s/overlays/prod')!;
  const policies = prod.filter((o) => o.kind === 'NetworkPolicy') as (KubeObject & {
    spec: { podSelector: { matchLabels?: Record<string, string> }; ingress?: NetworkPolicyRule[] };
  })[];
  const nameOf = (sel?: { matchLabels?: Record<string, string> }) => sel?.matchLabels?.['app.kubernetes.io/name'];

  it('denies by default and lets exactly the flows the services are configured for: each gRPC and NATS client to its server, nothing else between pods', () => {
    expect(policies.find((p) => Object.keys(p.spec.podSelector).length === 0)?.spec.ingress).toBeUndefined();
    const allowed = new Set(
      policies.flatMap((p) =>
        (p.spec.ingress ?? []).flatMap((r) =>
          r.from.filter((f) => f.podSelector).flatMap((f) => r.ports.map((port) => `${nameOf(f.podSelector)} → ${nameOf(p.spec.podSelector)}:${port.port}`)),
        ),
      ),
    );
    const configured = new Set(['nats → nats:6222']);
    for (const s of SERVICES) {
      const c = (find(prod, 'Deployment', s) as Workload).spec.template.spec.containers[0]!;
      for (const [k, v] of Object.entries(containerEnv(prod, s, c))) {
        if (k.endsWith('_GRPC_URL')) configured.add(`${s} → ${v}`);
        if (k === 'NATS_URL') configured.add(`${s} → ${new URL(v).hostname}:${new URL(v).port}`);
      }
    }
    expect([...allowed].sort()).toEqual([...configured].sort());
  });

  it('lets the ingress controller reach only the public HTTP ports, and the agents the WebSocket path, without session affinity', () => {
    const fromIngress = policies.flatMap((p) =>
      (p.spec.ingress ?? [])
        .filter((r) => r.from.some((f) => JSON.stringify(f.namespaceSelector ?? {}).includes('ingress')))
        .map((r) => `${nameOf(p.spec.podSelector)}:${r.ports[0]!.port}`),
    );
    expect(fromIngress.sort()).toEqual([`agent-hub:${SERVICE_SPECS['agent-hub'].httpPort}`, `gateway:${SERVICE_SPECS.gateway.httpPort}`]);
    const ingress = find(prod, 'Ingress', 'fleetplane') as KubeObject & {
      metadata: { annotations: Record<string, string> };
      spec: { rules: { http: { paths: { path: string; backend: { service: { name: string; port: { name: string } } } }[] } }[] };
    };
    const routes = ingress.spec.rules.flatMap((r) => r.http.paths.map((p) => `${p.path} → ${p.backend.service.name}:${p.backend.service.port.name}`));
    const enroll = /ENROLL_PATH = '([^']+)'/.exec(source('apps/agent-hub/src/access/enroll.controller.ts'))![1];
    expect(routes.sort()).toEqual([`${AGENT_WS_PATH} → agent-hub:http`, `/${enroll} → agent-hub:http`, '/api → gateway:http'].sort());
    expect(Object.keys(ingress.metadata.annotations).filter((a) => /affinity|sticky|session-cookie/.test(a))).toEqual([]);
  });
});

describe('infra/k8s: NATS', () => {
  const prod = built.get('infra/k8s/overlays/prod')!;
  const dir = mkdtempSync(join(tmpdir(), 'nats-conf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is a 3-node JetStream cluster of the image compose runs, whose configuration nats-server accepts', () => {
    const sts = find(prod, 'StatefulSet', 'nats') as KubeObject & { spec: { replicas: number; template: { spec: PodSpec } } };
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.template.spec.containers[0]!.image).toBe(NATS_IMAGE);
    expect(compose.services.nats!.image).toBe(NATS_IMAGE);
    const conf = (find(prod, 'ConfigMap', 'nats-config') as KubeObject & { data: Record<string, string> }).data['nats.conf']!;
    expect(conf).toBe(natsConfig());
    expect(conf).toMatch(/jetstream \{/);
    writeFileSync(join(dir, 'nats.conf'), conf.replace('/data', join(dir, 'js')).replace('/var/run/nats/nats.pid', join(dir, 'nats.pid')));
    const check = spawnSync('nats-server', ['-t', '-c', join(dir, 'nats.conf')], { env: { ...process.env, POD_NAME: 'nats-0' }, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toMatch(/configuration file .* is valid/);
    expect(check.status).toBe(0);
  });
});
