import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnProcess } from '@fleetplane/test-harness';
import { REPO_ROOT, SERVICES } from '../fleet.js';

// Every service validates its environment before doing anything else: a bad
// value stops it with exit code 1 and a message naming the variable.
describe('service configuration', () => {
  it.each(SERVICES)('%s refuses a bad HTTP_PORT and names it', async (service) => {
    const p = spawnProcess(service, process.execPath, ['dist/main.js'], {
      cwd: join(REPO_ROOT, 'apps', service),
      env: { HTTP_PORT: 'not-a-port', OTEL_SDK_DISABLED: 'true' },
    });
    expect(await p.waitForExit(15_000)).toBe(1);
    expect(p.output()).toMatch(/invalid configuration/);
    expect(p.output()).toMatch(/HTTP_PORT: /);
  });
});
