import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// Same relative spot from src/ (tests) and dist/ (the bin): the package root.
const ENGINE_PLACEHOLDER = fileURLToPath(new URL('../schema-engine.placeholder', import.meta.url));

/**
 * Runs this package's `prisma generate --schema <schemaPath>` and resolves with its exit code.
 * Prisma only checks that PRISMA_SCHEMA_ENGINE_BINARY exists when generating, so when the
 * variable is unset it is pointed at a placeholder instead of a binary we cannot download.
 */
export function runPrismaGenerate(schemaPath: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    PRISMA_SCHEMA_ENGINE_BINARY: env.PRISMA_SCHEMA_ENGINE_BINARY || ENGINE_PLACEHOLDER,
    // The update check phones home; with only the npm registry reachable it can only stall.
    CHECKPOINT_DISABLE: env.CHECKPOINT_DISABLE ?? '1',
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [prismaCli, 'generate', '--schema', schemaPath], {
      env: childEnv,
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}
