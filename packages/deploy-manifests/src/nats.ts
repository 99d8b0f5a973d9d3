import { StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { labels, selectorLabels } from './labels.js';

/** The same NATS as docker-compose.yml's (one version line for both). */
export const NATS_IMAGE = 'nats:2.10-alpine';
export const NATS_REPLICAS = 3;
export const NATS_PORTS = { client: 4222, cluster: 6222, monitor: 8222 };
const HEADLESS = 'nats-headless';
const NAME = 'nats';

/**
 * Three servers in one cluster with JetStream on each: a stream of 3 replicas survives the loss
 * of one server (and one at a time during a rollout: the PodDisruptionBudget, the lame-duck
 * preStop). Routes name every pod through the headless Service; each pod's name is its
 * server_name, stable across restarts, as JetStream's placement needs.
 */
export function natsConfig(): string {
  const routes = Array.from({ length: NATS_REPLICAS }, (_, i) => `    nats://${NAME}-${i}.${HEADLESS}:${NATS_PORTS.cluster}`);
  return [
    `port: ${NATS_PORTS.client}`,
    `http_port: ${NATS_PORTS.monitor}`,
    'server_name: $POD_NAME',
    'pid_file: /var/run/nats/nats.pid',
    // Lame duck: clients are told to move before the server stops (preStop below).
    'lame_duck_duration: 30s',
    'lame_duck_grace_period: 10s',
    'jetstream {',
    '  store_dir: /data',
    '  max_file_store: 8GB',
    '  max_memory_store: 256MB',
    '}',
    'cluster {',
    '  name: fleetplane',
    `  port: ${NATS_PORTS.cluster}`,
    '  routes: [',
    ...routes,
    '  ]',
    '}',
    '',
  ].join('\n');
}

export function natsObjects() {
  const selector = selectorLabels(NAME);
  const meta = (name: string) => ({ name, labels: labels(NAME, 'messaging') });
  const ports = Object.entries(NATS_PORTS).map(([name, port]) => ({ name, port, targetPort: name, protocol: 'TCP' as const }));
  return {
    config: new ConfigMap({ metadata: meta('nats-config'), data: { 'nats.conf': natsConfig() } }),
    headless: new Service({
      metadata: meta(HEADLESS),
      // Peers find each other before they are ready (JetStream needs a quorum to become ready).
      spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector, ports },
    }),
    client: new Service({ metadata: meta(NAME), spec: { type: 'ClusterIP', selector, ports: ports.filter((p) => p.name === 'client') } }),
    disruptionBudget: new PodDisruptionBudget({ metadata: meta(NAME), spec: { maxUnavailable: 1, selector: { matchLabels: selector } } }),
    statefulSet: new StatefulSet({
      metadata: meta(NAME),
      spec: {
        serviceName: HEADLESS,
        replicas: NATS_REPLICAS,
        // All three at once: a cluster of one waits for its routes.
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: labels(NAME, 'messaging') },
          spec: {
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 60,
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: selector } },
            ],
            containers: [
              {
                name: NAME,
                image: NATS_IMAGE,
                args: ['--config', '/etc/nats/nats.conf'],
                env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                ports: Object.entries(NATS_PORTS).map(([name, containerPort]) => ({ name, containerPort, protocol: 'TCP' as const })),
                resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '1Gi' } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                startupProbe: { httpGet: { path: '/healthz', port: 'monitor' }, periodSeconds: 5, failureThreshold: 60 },
                livenessProbe: { httpGet: { path: '/healthz?js-enabled-only=true', port: 'monitor' }, periodSeconds: 10, failureThreshold: 3 },
                readinessProbe: { httpGet: { path: '/healthz?js-server-only=true', port: 'monitor' }, periodSeconds: 5, failureThreshold: 3 },
                lifecycle: { preStop: { exec: { command: ['nats-server', '--signal', 'ldm=/var/run/nats/nats.pid'] } } },
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/nats' },
                  { name: 'pid', mountPath: '/var/run/nats' },
                  { name: 'data', mountPath: '/data' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'nats-config' } },
              { name: 'pid', emptyDir: {} },
            ],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } }],
      },
    }),
  };
}
