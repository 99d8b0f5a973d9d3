import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSql, startInfra, type Infra } from '@fleetplane/test-harness';
import { startFleet, type Fleet } from '../fleet.js';
import { GatewayClient } from '../gateway-client.js';

// Backups of the running system through every real process: REST → gateway → backup (its
// catalogue, queue and worker) → pg_dump of each service's live database, including backup's own
// catalogue → the repository; then one source restored into a new database whose rows match; then
// the other three types as the system changes, each listed, verified and restored.
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

  it('takes an INCREMENTAL, a DIFFERENTIAL and a SNAPSHOT as the system changes; lists, verifies (reading every chunk) and restores each with matching row counts', async () => {
    // Each backup after some change to the gateway's database: an API key (and its audit rows) each time.
    const change = async (n: number) => gateway.createApiKey(`e2e-key-${n}`, 'viewer', ['backups:read']);
    await change(1);
    const incremental = await gateway.backup({ type: 'INCREMENTAL' });
    await change(2);
    const differential = await gateway.backup({ type: 'DIFFERENTIAL' });
    await change(3);
    const snapshot = await gateway.backup({ type: 'SNAPSHOT', sources: ['gateway', 'command'] });
    const taken = { INCREMENTAL: incremental, DIFFERENTIAL: differential, SNAPSHOT: snapshot };
    for (const [type, job] of Object.entries(taken)) expect(job.state, `${type}: ${job.error ?? ''}`).toBe('SUCCEEDED');

    const listed = await gateway.listBackups();
    const full = listed.find((b) => b.type === 'FULL')!;
    expect(listed.find((b) => b.id === incremental.backupId)).toMatchObject({ type: 'INCREMENTAL', parentId: full.id });
    // A DIFFERENTIAL's parent is the last FULL, not the INCREMENTAL in between.
    expect(listed.find((b) => b.id === differential.backupId)).toMatchObject({ type: 'DIFFERENTIAL', parentId: full.id });
    expect(
      listed
        .find((b) => b.id === snapshot.backupId)
        ?.sources.map((s) => s.name)
        .sort(),
    ).toEqual(['command', 'gateway']);

    const gatewayDb = (database: string) => {
      const url = new URL(fleet.databaseUrls.gateway);
      url.pathname = `/${database}`;
      return url.toString();
    };
    for (const [type, job] of Object.entries(taken)) {
      const verified = await gateway.verifyBackup(job.backupId!);
      expect(verified.verify, type).toMatchObject({ ok: true, errors: [] });
      const database = `gateway_e2e_${type.toLowerCase()}`;
      const restored = await gateway.restoreBackup(job.backupId!, [{ source: 'gateway', database }]);
      expect(restored.state, `${type}: ${restored.error ?? ''}`).toBe('SUCCEEDED');
      expect(restored.restore!.sources[0], type).toMatchObject({ database, mismatches: [] });
      // The restored API keys are those the backup saw: one more with each backup.
      const expected = job.backup!.sources.find((s) => s.name === 'gateway')!.rowCounts['public.api_keys'];
      const { rows } = await runSql(gatewayDb(database), 'SELECT count(*)::int AS n FROM api_keys');
      expect((rows[0] as { n: number }).n, type).toBe(expected);
    }
    const keys = (type: keyof typeof taken) => taken[type].backup!.sources.find((s) => s.name === 'gateway')!.rowCounts['public.api_keys']!;
    expect([keys('DIFFERENTIAL') - keys('INCREMENTAL'), keys('SNAPSHOT') - keys('DIFFERENTIAL')]).toEqual([1, 1]);
  });
});
