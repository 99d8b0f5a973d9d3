import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GENERATED_DIRS, REPO_ROOT } from './paths.js';
import { renderAll } from './render.js';

/** Writes every generated file under `root`, replacing what the generator owns there (so a file it no longer makes goes). */
export async function writeAll(root: string): Promise<string[]> {
  const files = await renderAll();
  for (const dir of GENERATED_DIRS) rmSync(join(root, dir), { recursive: true, force: true });
  for (const [path, content] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return [...files.keys()];
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const written = await writeAll(REPO_ROOT);
  process.stdout.write(`wrote ${written.length} files under ${GENERATED_DIRS.join(', ')}\n`);
}
