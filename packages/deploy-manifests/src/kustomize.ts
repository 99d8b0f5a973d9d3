import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** A Kubernetes object as YAML gives it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface Kustomization {
  apiVersion: 'kustomize.config.k8s.io/v1beta1';
  kind: 'Kustomization';
  namespace?: string;
  resources: string[];
  patches?: { path: string }[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

/** The fields of a kustomization.yaml this builder understands; any other would be silently ignored, so it refuses them. */
const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'patches', 'images']);

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A strategic-merge patch restricted to maps (a list in a patch would need the field's merge key, which this builder does not know). */
function mergeMaps(target: Record<string, unknown>, patch: Record<string, unknown>, where: string): void {
  for (const [key, value] of Object.entries(patch)) {
    if (Array.isArray(value)) throw new Error(`${where}: lists in patches are not supported (at ${key})`);
    if (isMap(value) && isMap(target[key])) mergeMaps(target[key], value, `${where}.${key}`);
    else target[key] = structuredClone(value);
  }
}

type Container = { image?: string };
const podContainers = (o: KubeObject): Container[] => {
  const spec = o.spec as { template?: { spec?: { containers?: Container[]; initContainers?: Container[] } } } | undefined;
  return [...(spec?.template?.spec?.containers ?? []), ...(spec?.template?.spec?.initContainers ?? [])];
};

/**
 * Builds a kustomization the way `kustomize build` does for the features the generated tree
 * uses (resources, map-only patches, images, namespace), failing on a resource or patch file
 * that does not exist, a patch whose target is not among the resources, or an unknown field.
 * No kustomize binary is part of the toolchain, so this is what the tests build overlays with.
 */
export function buildKustomization(dir: string): KubeObject[] {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${dir}: no kustomization.yaml`);
  const k = parse(readFileSync(file, 'utf8')) as Kustomization;
  const unknown = Object.keys(k).filter((f) => !KNOWN_FIELDS.has(f));
  if (unknown.length) throw new Error(`${file}: fields this builder does not understand: ${unknown.join(', ')}`);
  const objects: KubeObject[] = [];
  for (const resource of k.resources) {
    const path = join(dir, resource);
    if (!existsSync(path)) throw new Error(`${file}: resource ${resource} does not exist`);
    if (statSync(path).isDirectory()) objects.push(...buildKustomization(path));
    else objects.push(...parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as KubeObject));
  }
  for (const { path } of k.patches ?? []) {
    const patchFile = join(dir, path);
    if (!existsSync(patchFile)) throw new Error(`${file}: patch ${path} does not exist`);
    const patch = parse(readFileSync(patchFile, 'utf8')) as KubeObject;
    const target = objects.find((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
    if (!target) throw new Error(`${file}: patch ${path} targets ${patch.kind}/${patch.metadata.name}, which no resource defines`);
    const { apiVersion: _a, kind: _k, metadata, ...rest } = patch;
    const { name: _n, ...metadataRest } = metadata;
    mergeMaps(target, { ...rest, metadata: metadataRest }, patchFile);
  }
  for (const image of k.images ?? []) {
    const containers = objects.flatMap(podContainers).filter((c) => c.image?.split(':')[0] === image.name);
    if (!containers.length) throw new Error(`${file}: image ${image.name} is used by no container`);
    for (const c of containers) c.image = `${image.newName ?? image.name}:${image.newTag ?? 'latest'}`;
  }
  if (k.namespace) for (const o of objects) o.metadata.namespace = k.namespace;
  return objects;
}
