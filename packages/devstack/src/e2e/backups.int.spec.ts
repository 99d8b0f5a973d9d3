import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSql, startInfra, type Infra } from '@fleetplane/test-harness';
import { startFleet, type Fleet } from '../fleet.js';
import { GatewayClient } from '../gateway-client.js';

// Backups of the running system through every real process: REST → gateway → backup (its
// catalogue, queue and worker) → pg_dump of each service's live database, including backup's own
// catalogue → the repository; then one source restored into a new database whose rows match.
const admin = { email: 'admin@backup-e2e.test', password: 'correct horse battery staple' };

describe('backups of the running system, end to end', () => {
  let infra: Infra;
  let fleet: Fleet;
  let gateway: GatewayClient;

  beforeAll(async () => {
    infra = await startInfra();
    fleet = await startFleet({ infra, admin, jwtSecret: 'backup-e2e-secret-that-is-long-enough-0123' });
    gateway = new GatewayClient(fleet.gatewayUrl);
    await gateway.login(admin.email, admin.password);
  });

  afterAll(async () => {
    await fleet?.stop();
    await infra?.stop();
  });

  it('takes a FULL of every service database (the catalogue too) and restores the gateway one with equal rows', async () => {
    const full = await gateway.backup({ type: 'FULL' });
    expect(full.state, full.error ?? '').toBe('SUCCEEDED');
    expect(full.backup!.sources.map((s) => s.name).sort()).toEqual(['agent-hub', 'backup', 'command', 'gateway', 'telemetry']);
    const users = full.backup!.sources.find((s) => s.name === 'gateway')!.rowCounts['public.users'];
    expect(users).toBeGreaterThanOrEqual(1); // the admin

    const restored = await gateway.restoreBackup(full.backupId!, [{ source: 'gateway', database: 'gateway_e2e_restored' }]);
    expect(restored.state, restored.error ?? '').toBe('SUCCEEDED');
    expect(restored.restore!.sources[0]).toMatchObject({ database: 'gateway_e2e_restored', mismatches: [] });
    const url = new URL(fleet.databaseUrls.gateway);
    url.pathname = '/gateway_e2e_restored';
    const { rows } = await runSql(url.toString(), `SELECT count(*)::int AS n FROM users`);
    expect((rows[0] as { n: number }).n).toBe(users);
  });
});
