import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import type { KubeObject } from './kustomize.js';

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}
const isModelClass = (v: unknown): v is ModelClass =>
  typeof v === 'function' && typeof (v as Partial<ModelClass>).kind === 'string' && typeof (v as Partial<ModelClass>).apiVersion === 'string';

/** Every kind the generated tree may contain, by `apiVersion/kind`. */
const MODELS = new Map(
  [core, apps, batch, policy, autoscaling, networking]
    .flatMap((m) => Object.values(m as Record<string, unknown>))
    .filter(isModelClass)
    .map((c) => [`${c.apiVersion}/${c.kind}`, c] as const),
);

/**
 * Validates an object against the Kubernetes OpenAPI schema of its kind (kubernetes-models'
 * compiled JSON schemas); throws naming the object and the failing paths. A kind outside
 * the supported API groups is an error too: nothing goes unvalidated.
 */
export function validateKubeObject(o: KubeObject): void {
  const Model = MODELS.get(`${o.apiVersion}/${o.kind}`);
  if (!Model) throw new Error(`${o.apiVersion} ${o.kind} ${o.metadata?.name}: no schema for this kind`);
  try {
    new Model(o).validate();
  } catch (err) {
    throw new Error(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`, { cause: err });
  }
}
