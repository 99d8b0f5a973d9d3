import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler, type IMetricSpec } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, ServiceAccount, type IContainerPort, type IProbe } from 'kubernetes-models/v1';
import { baseContainer, configMapName, podSecurityContext, scratchVolumes, secretEnv } from './container.js';
import { labels, selectorLabels } from './labels.js';
import { SHUTDOWN, type ScaleMetric, type ServiceSpec } from './services.js';

/** What the generator knows about a service's config beyond its spec: read from its schema. */
export interface ResolvedConfig {
  /** Schema variables neither the image, the ConfigMap nor a Secret sets: the service's defaults apply. */
  leftAtDefault: string[];
  /** SHUTDOWN_DELAY_MS and SHUTDOWN_TIMEOUT_MS as the service will read them in the pod. */
  shutdownDelayMs: number;
  shutdownTimeoutMs: number;
}

export const LEFT_AT_DEFAULT_ANNOTATION = 'fleetplane.dev/left-at-default';

// The probes (service-kit's HealthController on the HTTP port, grpc.health.v1 on the gRPC port):
// liveness only asks whether the event loop answers, so an outage of NATS or PostgreSQL never
// restarts a pod; readiness takes it out of its Service while a dependency fails or it drains.
const liveness = (port: number): IProbe => ({ httpGet: { path: '/health', port }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
const readiness = (port: number): IProbe => ({ httpGet: { path: '/ready', port }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 });
/** Start-up: the gRPC server answers SERVING (its dependencies reached) within two minutes; else /health. */
const startup = (spec: ServiceSpec): IProbe => ({
  ...(spec.grpcPort ? { grpc: { port: spec.grpcPort } } : { httpGet: { path: '/health', port: spec.httpPort } }),
  periodSeconds: 2,
  timeoutSeconds: 2,
  failureThreshold: 60,
});

export const containerPorts = (spec: ServiceSpec): IContainerPort[] => [
  { name: 'http', containerPort: spec.httpPort, protocol: 'TCP' as const },
  ...(spec.metricsPort ? [{ name: 'metrics', containerPort: spec.metricsPort, protocol: 'TCP' as const }] : []),
  ...(spec.grpcPort ? [{ name: 'grpc', containerPort: spec.grpcPort, protocol: 'TCP' as const }] : []),
];

export function configMap(spec: ServiceSpec, resolved: ResolvedConfig): ConfigMap {
  return new ConfigMap({
    metadata: {
      name: configMapName(spec.name),
      labels: labels(spec.name, 'config'),
      annotations: { [LEFT_AT_DEFAULT_ANNOTATION]: resolved.leftAtDefault.join(',') },
    },
    data: spec.config,
  });
}

export function serviceAccount(spec: ServiceSpec): ServiceAccount {
  // No service calls the Kubernetes API.
  return new ServiceAccount({ metadata: { name: spec.name, labels: labels(spec.name, 'service') }, automountServiceAccountToken: false });
}

export function deployment(spec: ServiceSpec, resolved: ResolvedConfig): Deployment {
  const grace = SHUTDOWN.preStopSeconds + Math.ceil((resolved.shutdownDelayMs + resolved.shutdownTimeoutMs) / 1000) + SHUTDOWN.marginSeconds;
  const metricsPort = spec.metricsPort ?? spec.httpPort;
  return new Deployment({
    metadata: { name: spec.name, labels: labels(spec.name, 'service') },
    spec: {
      // No replicas: the HorizontalPodAutoscaler owns the count.
      selector: { matchLabels: selectorLabels(spec.name) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: labels(spec.name, 'service'),
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(metricsPort), 'prometheus.io/path': '/metrics' },
        },
        spec: {
          serviceAccountName: spec.name,
          automountServiceAccountToken: false,
          securityContext: podSecurityContext,
          terminationGracePeriodSeconds: grace,
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: selectorLabels(spec.name) },
            },
          ],
          containers: [
            {
              ...baseContainer(spec),
              ports: containerPorts(spec),
              envFrom: [{ configMapRef: { name: configMapName(spec.name) } }],
              env: secretEnv(spec),
              resources: { requests: spec.sizing.requests, limits: spec.sizing.limits },
              startupProbe: startup(spec),
              livenessProbe: liveness(spec.httpPort),
              readinessProbe: readiness(spec.httpPort),
              lifecycle: { preStop: { sleep: { seconds: SHUTDOWN.preStopSeconds } } },
            },
          ],
          volumes: scratchVolumes(spec),
        },
      },
    },
  });
}

export function service(spec: ServiceSpec): Service {
  return new Service({
    metadata: { name: spec.name, labels: labels(spec.name, 'service') },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(spec.name),
      ports: containerPorts(spec).map((p) => ({
        name: p.name!,
        port: p.containerPort,
        targetPort: p.name!,
        protocol: 'TCP' as const,
        ...(p.name === 'grpc' ? { appProtocol: 'grpc' } : {}),
      })),
    },
  });
}

export function podDisruptionBudget(spec: ServiceSpec): PodDisruptionBudget {
  return new PodDisruptionBudget({
    metadata: { name: spec.name, labels: labels(spec.name, 'service') },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(spec.name) } },
  });
}

const metricSpec = (m: ScaleMetric): IMetricSpec =>
  m.kind === 'cpu'
    ? { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: m.averageUtilization } } }
    : { type: 'Pods', pods: { metric: { name: m.metric }, target: { type: 'AverageValue', averageValue: String(m.averageValue) } } };

export function horizontalPodAutoscaler(spec: ServiceSpec): HorizontalPodAutoscaler {
  return new HorizontalPodAutoscaler({
    metadata: { name: spec.name, labels: labels(spec.name, 'service') },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name },
      minReplicas: spec.autoscaling.minReplicas,
      maxReplicas: spec.autoscaling.maxReplicas,
      metrics: spec.autoscaling.metrics.map(metricSpec),
      // Scaling down closes sockets and moves work: one pod at a time, after five calm minutes.
      behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] } },
    },
  });
}
