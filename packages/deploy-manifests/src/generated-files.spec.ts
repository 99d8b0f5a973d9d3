import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAll } from './generate.js';
import { GENERATED_DIRS, REPO_ROOT } from './paths.js';

const filesUnder = (root: string): string[] =>
  GENERATED_DIRS.flatMap((dir) => {
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [relative(root, join(d, e.name))]));
    try {
      return walk(join(root, dir));
    } catch {
      return [];
    }
  }).sort();

// The generated YAML and JSON are checked in; regenerating (after a change to a service's
// config schema, a port, the generator) must change nothing, or the checked-in files are stale.
describe('the checked-in infra/k8s and infra/grafana', () => {
  const out = mkdtempSync(join(tmpdir(), 'deploy-manifests-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('are what the generator writes now, file for file (rerun: pnpm --filter @fleetplane/deploy-manifests run generate)', async () => {
    await writeAll(out);
    const generated = filesUnder(out);
    expect(generated.length).toBeGreaterThan(50);
    expect(filesUnder(REPO_ROOT)).toEqual(generated);
    const stale = generated.filter((f) => readFileSync(join(out, f), 'utf8') !== readFileSync(join(REPO_ROOT, f), 'utf8'));
    expect(stale, 'files that differ from a fresh generation').toEqual([]);
  });
});
