import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file (packages/deploy-manifests/{src,dist}/paths.*). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** What the generator writes, relative to the repository root; it owns these directories entirely. */
export const GENERATED_DIRS = ['infra/k8s', 'infra/grafana'] as const;
