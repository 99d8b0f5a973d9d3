import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configMapName } from './container.js';
import { imageOf } from './labels.js';
import { NATS_REPLICAS } from './nats.js';
import { REPO_ROOT } from './paths.js';
import { SERVICE_SPECS, SERVICES, type ServiceName } from './services.js';

/** A strategic-merge patch of maps only (kustomize.ts builds them for the checks). */
export interface Patch {
  file: string;
  object: { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };
}

export interface Overlay {
  name: 'dev' | 'prod';
  namespace: string;
  /** The image tag each service runs. */
  tag: (service: ServiceName) => string;
  patches: Patch[];
}

const hpaPatch = (service: ServiceName, minReplicas: number, maxReplicas: number): Patch => ({
  file: `hpa-${service}.yaml`,
  object: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: service }, spec: { minReplicas, maxReplicas } },
});

const configPatch = (service: ServiceName, data: Record<string, string>): Patch => ({
  file: `config-${service}.yaml`,
  object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: configMapName(service) }, data },
});

const externalName = (name: string, host: string): Patch => ({
  file: `external-${name}.yaml`,
  object: { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { externalName: host } },
});

const version = (service: ServiceName) => (JSON.parse(readFileSync(join(REPO_ROOT, 'apps', service, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * dev: one pod of each service (at most two), images tagged `dev`, the servers at in-cluster
 * names a developer's cluster provides. prod: the released version of each image, at least
 * three gateways and hubs (one per zone), streams replicated on the three NATS servers, the managed
 * servers' addresses.
 */
export const OVERLAYS: Overlay[] = [
  {
    name: 'dev',
    namespace: 'fleetplane-dev',
    tag: () => 'dev',
    patches: [
      ...SERVICES.map((s) => hpaPatch(s, 1, 2)),
      externalName('postgres', 'postgresql.databases.svc.cluster.local'),
      externalName('redis', 'redis-master.databases.svc.cluster.local'),
    ],
  },
  {
    name: 'prod',
    namespace: 'fleetplane',
    tag: version,
    patches: [
      hpaPatch('gateway', 3, SERVICE_SPECS.gateway.autoscaling.maxReplicas),
      hpaPatch('agent-hub', 3, SERVICE_SPECS['agent-hub'].autoscaling.maxReplicas),
      // Every stream on all three NATS servers: one may fail or restart without losing or stopping a stream.
      ...SERVICES.filter((s) => SERVICE_SPECS[s].createsStreams).map((s) => configPatch(s, { JETSTREAM_REPLICAS: String(NATS_REPLICAS) })),
      externalName('postgres', 'fleetplane.cluster-abcdefgh.eu-west-1.rds.amazonaws.com'),
      externalName('redis', 'fleetplane.abcdef.euw1.cache.amazonaws.com'),
    ],
  },
];

export const overlayImages = (overlay: Overlay) => SERVICES.map((s) => ({ name: imageOf(s), newTag: overlay.tag(s) }));
