import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Creates a private temp dir (`fleetplane-<label>-XXXXXX`) under os.tmpdir(). */
export function makeTempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `fleetplane-${label}-`));
}

export async function removeDir(dir: string): Promise<void> {
  // Retries cover a server that is still flushing a file as it exits.
  await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
}
