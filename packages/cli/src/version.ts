import { readFileSync } from 'node:fs';

/** The package's version, read from package.json beside src/ and dist/ (one directory up from this file). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
