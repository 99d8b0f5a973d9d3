import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnProcess, type ManagedProcess } from '@fleetplane/test-harness';
import { DEFAULT_FLEET_PORTS, REPO_ROOT, UP_SERVER_PORTS } from '../fleet.js';
import { GatewayClient } from '../gateway-client.js';

// `make up` as a user runs it, twice on the same data directory: it comes up,
// the README's example works, Ctrl-C leaves no server or service behind, and
// the second run finds the first one's users and commands.
const dataDir = mkdtempSync(join(tmpdir(), 'fleetplane-up-'));
// PostgreSQL runs as its own user when we are root: it must be able to enter the directory.
chmodSync(dataDir, 0o755);
const basePorts = [...Object.values(UP_SERVER_PORTS), ...Object.values(DEFAULT_FLEET_PORTS)];

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
const allFree = async (ports: number[]) => (await Promise.all(ports.map(portIsFree))).every(Boolean);

/** An offset under which every port `up` needs is free right now. */
async function freeOffset(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const offset = 20_000 + Math.floor(Math.random() * 25_000);
    if (await allFree(basePorts.map((p) => p + offset))) return offset;
  }
  throw new Error('no free port offset for make up');
}

function startUp(offset: number): ManagedProcess {
  return spawnProcess('up', process.execPath, [join(REPO_ROOT, 'packages/devstack/dist/up.js')], {
    env: {
      FLEETPLANE_DATA_DIR: dataDir,
      FLEETPLANE_PORT_OFFSET: String(offset),
      ...(process.env.FLEETPLANE_PG_BIN ? { FLEETPLANE_PG_BIN: process.env.FLEETPLANE_PG_BIN } : {}),
    },
  });
}

describe('make up', () => {
  let up: ManagedProcess | undefined;
  let commandId = '';

  afterAll(async () => {
    await up?.stop('SIGINT');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings the system up, runs the README example, and Ctrl-C stops everything', async () => {
    const offset = await freeOffset();
    up = startUp(offset);
    await up.waitForOutput(/Ctrl-C stops everything/, 120_000);
    expect(up.output()).toMatch(/Admin: admin@fleetplane\.local {2}password: \S+ {3}\(shown once/);
    expect(up.output()).toContain(`http://127.0.0.1:${DEFAULT_FLEET_PORTS.gateway + offset}`);

    const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { adminEmail: string; adminPassword: string };
    const gateway = new GatewayClient(`http://127.0.0.1:${DEFAULT_FLEET_PORTS.gateway + offset}`);
    await gateway.login(secrets.adminEmail, secrets.adminPassword);
    const c = await gateway.submitCommand({ verb: 'exec', params: { argv: ['echo', 'hello'] }, targets: ['local-agent'] });
    const done = await gateway.waitForCommand(c.id);
    expect(done.executions[0]).toMatchObject({ state: 'COMPLETED', stdout: 'hello\n', exitCode: 0 });
    commandId = c.id;

    expect(await up.stop('SIGINT')).toBe(0);
    up = undefined;
    expect(await allFree(basePorts.map((p) => p + offset))).toBe(true);
  });

  it('comes up again on the same data, keeping users and commands, without printing the password again', async () => {
    expect(commandId).not.toBe('');
    const offset = await freeOffset();
    up = startUp(offset);
    await up.waitForOutput(/Ctrl-C stops everything/, 120_000);
    const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { adminEmail: string; adminPassword: string };
    expect(up.output()).not.toContain(secrets.adminPassword);

    const gateway = new GatewayClient(`http://127.0.0.1:${DEFAULT_FLEET_PORTS.gateway + offset}`);
    await gateway.login(secrets.adminEmail, secrets.adminPassword);
    expect((await gateway.getCommand(commandId)).state).toBe('COMPLETED');
    expect(await up.stop('SIGINT')).toBe(0);
    up = undefined;
    expect(await allFree(basePorts.map((p) => p + offset))).toBe(true);
  });
});
