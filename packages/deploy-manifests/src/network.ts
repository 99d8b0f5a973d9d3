import { Ingress, NetworkPolicy, type INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1';
import { Service } from 'kubernetes-models/v1';
import { AGENT_WS_PATH } from '@fleetplane/contracts';
import { labels, PART_OF, selectorLabels } from './labels.js';
import { NATS_PORTS } from './nats.js';
import { POSTGRES_HOST, REDIS_HOST, SERVICE_SPECS, SERVICES, type ServiceName } from './services.js';

/** Where the traffic from outside and the scrapes come from (namespaces, by their automatic name label). */
export const INGRESS_NAMESPACE = 'ingress-nginx';
export const MONITORING_NAMESPACE = 'monitoring';
export const PUBLIC_HOSTS = { api: 'fleetplane.example.com', agents: 'agents.fleetplane.example.com' };

const namespace = (name: string): INetworkPolicyPeer => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
const pods = (name: string): INetworkPolicyPeer => ({ podSelector: { matchLabels: selectorLabels(name) } });
const tcp = (port: number) => ({ protocol: 'TCP' as const, port });

/** PostgreSQL and Redis outside the cluster by default: a name in the namespace, the address in the overlay. */
export const externalServices = () =>
  [
    [POSTGRES_HOST, 'postgres.fleetplane.example.internal'],
    [REDIS_HOST, 'redis.fleetplane.example.internal'],
  ].map(
    ([name, externalName]) =>
      new Service({ metadata: { name: name!, labels: labels(name!, 'external') }, spec: { type: 'ExternalName', externalName: externalName! } }),
  );

/** Nothing reaches a pod of the namespace unless a policy below lets it. */
export const defaultDeny = () =>
  new NetworkPolicy({
    metadata: { name: 'default-deny-ingress', labels: { 'app.kubernetes.io/part-of': PART_OF } },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  });

/**
 * Exactly the flows of the README's picture, as each receiver sees them: the public HTTP ports from
 * the ingress controller, each gRPC port from the services that call it, NATS from the services that
 * use it (and its peers), the metrics ports from the monitoring namespace.
 */
export function servicePolicy(service: ServiceName): NetworkPolicy {
  const spec = SERVICE_SPECS[service];
  const callers = SERVICES.filter((s) => SERVICE_SPECS[s].calls.includes(service));
  const rules = [
    ...(service === 'gateway' || service === 'agent-hub' ? [{ from: [namespace(INGRESS_NAMESPACE)], ports: [tcp(spec.httpPort)] }] : []),
    ...(spec.grpcPort && callers.length ? [{ from: callers.map(pods), ports: [tcp(spec.grpcPort)] }] : []),
    { from: [namespace(MONITORING_NAMESPACE)], ports: [tcp(spec.metricsPort ?? spec.httpPort)] },
  ];
  return new NetworkPolicy({
    metadata: { name: service, labels: labels(service, 'network-policy') },
    spec: { podSelector: { matchLabels: selectorLabels(service) }, policyTypes: ['Ingress'], ingress: rules },
  });
}

export const natsPolicy = () =>
  new NetworkPolicy({
    metadata: { name: 'nats', labels: labels('nats', 'network-policy') },
    spec: {
      podSelector: { matchLabels: selectorLabels('nats') },
      policyTypes: ['Ingress'],
      ingress: [
        { from: SERVICES.filter((s) => SERVICE_SPECS[s].usesNats).map(pods), ports: [tcp(NATS_PORTS.client)] },
        { from: [pods('nats')], ports: [tcp(NATS_PORTS.cluster)] },
        { from: [namespace(MONITORING_NAMESPACE)], ports: [tcp(NATS_PORTS.monitor)] },
      ],
    },
  });

/**
 * The two public entry points. Agents' WebSockets are long-lived and any hub may hold any agent
 * (the newest session wins, across instances), so no session affinity: a reconnect lands wherever
 * the controller sends it. Timeouts outlast the heartbeat (15 s) many times over.
 */
export const ingress = () =>
  new Ingress({
    metadata: {
      name: 'fleetplane',
      labels: { 'app.kubernetes.io/part-of': PART_OF },
      annotations: {
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-body-size': '1m',
      },
    },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: [PUBLIC_HOSTS.api, PUBLIC_HOSTS.agents], secretName: 'fleetplane-tls' }],
      rules: [
        {
          host: PUBLIC_HOSTS.api,
          http: {
            paths: ['/api'].map((path) => ({
              path,
              pathType: 'Prefix',
              backend: { service: { name: 'gateway', port: { name: 'http' } } },
            })),
          },
        },
        {
          host: PUBLIC_HOSTS.agents,
          http: {
            paths: [AGENT_WS_PATH, '/v1/enroll'].map((path) => ({
              path,
              pathType: 'Exact',
              backend: { service: { name: 'agent-hub', port: { name: 'http' } } },
            })),
          },
        },
      ],
    },
  });
