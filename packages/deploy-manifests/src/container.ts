import type { IContainer, IEnvVar, IPodSecurityContext, ISecurityContext, IVolume } from 'kubernetes-models/v1';
import { imageOf } from './labels.js';
import type { ServiceSpec } from './services.js';

/** The node user of the official Node image (infra/docker/Dockerfile: USER node). */
const NODE_UID = 1000;

export const podSecurityContext: IPodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: NODE_UID,
  runAsGroup: NODE_UID,
  fsGroup: NODE_UID,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** Nothing writes outside /tmp and the scratch directories, which are emptyDir volumes. */
export const containerSecurityContext: ISecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

export const configMapName = (service: string) => `${service}-config`;

/** Each secret variable as a secretKeyRef: the Secret's name and key, never its value. */
export const secretEnv = (spec: ServiceSpec, only?: string[]): IEnvVar[] =>
  Object.entries(spec.secrets)
    .filter(([name]) => !only || only.includes(name))
    .map(([name, s]) => ({ name, valueFrom: { secretKeyRef: { name: s.secret, key: s.key } } }));

export const scratchVolumes = (spec: ServiceSpec): IVolume[] => [
  { name: 'tmp', emptyDir: {} },
  ...Object.keys(spec.scratch ?? {}).map((name) => ({ name, emptyDir: {} })),
];

const scratchMounts = (spec: ServiceSpec) => [
  { name: 'tmp', mountPath: '/tmp' },
  ...Object.entries(spec.scratch ?? {}).map(([name, mountPath]) => ({ name, mountPath })),
];

/** A container of the service's image with its ConfigMap and Secret references, and read-only root. */
export const baseContainer = (spec: ServiceSpec): IContainer => ({
  name: spec.name,
  image: imageOf(spec.name),
  imagePullPolicy: 'IfNotPresent',
  securityContext: containerSecurityContext,
  volumeMounts: scratchMounts(spec),
});
