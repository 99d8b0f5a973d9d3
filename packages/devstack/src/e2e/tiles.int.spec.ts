import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AGENT_PROTOCOL_VERSION, frame, wsDataToText, type AgentToHub } from '@fleetplane/contracts';
import { runSql, startInfra, type Infra } from '@fleetplane/test-harness';
import { REPO_ROOT, startFleet, type Fleet } from '../fleet.js';
import { GatewayClient } from '../gateway-client.js';

// The two ready-made tile programs over telemetry from the running system: agents enrolled
// through the gateway connect to agent-hub and send TELEMETRY frames (stamped over the last
// two hours); the hub publishes them on JetStream, telemetry stores them, and tile-worker reads
// them through telemetry's StreamHistory (sites from agent-hub's registry) — submitted through
// the gateway's REST API and through the fleetplane CLI. Results are checked against values
// computed here from the samples sent.

const admin = { email: 'admin@tiles-e2e.test', password: 'correct horse battery staple' };
const SITES: Record<string, string> = { 'tiles-eu-a': 'eu', 'tiles-eu-b': 'eu', 'tiles-us-a': 'us' };
/** Disk growth in %/h: only tiles-eu-b grows faster than 1 %/h. */
const SLOPE: Record<string, number> = { 'tiles-eu-a': 0.5, 'tiles-eu-b': 3, 'tiles-us-a': 0 };
const NOW = Date.now();
const MINUTE = 60_000;
/** 40 samples in the last hour (every 90 s) and 10 two hours ago, outside it. */
const TIMES = [
  ...Array.from({ length: 10 }, (_, i) => NOW - 125 * MINUTE + i * MINUTE),
  ...Array.from({ length: 40 }, (_, i) => NOW - 59 * MINUTE + i * 90_000),
];
const DISK_TOTAL = 1e10;

interface Sent {
  agentId: string;
  t: number;
  cpu: number;
  diskUsed: number;
}
const sent: Sent[] = Object.keys(SITES).flatMap((agentId, a) =>
  TIMES.map((t, i) => ({
    agentId,
    t,
    cpu: (a * 31 + i * 17) % 100,
    diskUsed: Math.round(DISK_TOTAL * ((20 + (SLOPE[agentId]! * (t - NOW)) / 3_600_000) / 100)),
  })),
);
const lastHour = sent.filter((s) => s.t >= NOW - 3_600_000);

const p95 = (cpus: number[]) => {
  for (let b = 5; b < 100; b += 5) if (cpus.length * 0.95 <= cpus.filter((c) => c <= b).length) return b;
  return 100;
};
const slope = (pts: Array<{ h: number; d: number }>) => {
  const mh = pts.reduce((a, p) => a + p.h, 0) / pts.length;
  const md = pts.reduce((a, p) => a + p.d, 0) / pts.length;
  return pts.reduce((a, p) => a + (p.h - mh) * (p.d - md), 0) / pts.reduce((a, p) => a + (p.h - mh) ** 2, 0);
};

/** One agent's connection, speaking the real protocol: HELLO, then TELEMETRY frames stamped with the sample's time. */
async function sendTelemetry(hubWsUrl: string, agentId: string, token: string): Promise<void> {
  const ws = new WebSocket(hubWsUrl);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const acked = new Promise<void>((resolve) => ws.on('message', (d) => (JSON.parse(wsDataToText(d)) as { type: string }).type === 'HELLO_ACK' && resolve()));
  const inventory = { site: SITES[agentId]!, os: 'linux', kernel: '6.1.0', version: '0.1.0-e2e', capabilities: ['exec'], containerEngine: '', labels: {} };
  ws.send(frame<AgentToHub>({ type: 'HELLO', agentId, token, inventory }));
  await acked;
  for (const s of sent.filter((x) => x.agentId === agentId)) {
    const sample = {
      cpuPercent: s.cpu,
      memoryUsedBytes: 1e9,
      memoryTotalBytes: 4e9,
      load: [0.5, 0.5, 0.5],
      diskUsedBytes: s.diskUsed,
      diskTotalBytes: DISK_TOTAL,
      uptimeSeconds: 100,
    };
    ws.send(JSON.stringify({ v: AGENT_PROTOCOL_VERSION, id: randomUUID(), ts: new Date(s.t).toISOString(), type: 'TELEMETRY', sample }));
  }
  // The frames stay on the open socket until the hub has published them (checked through telemetry's store below).
}

interface JobResult {
  job: { id: string; state: string; error: string | null; stats: { rowsIn: number; cache: string } };
  results: Array<{ sinkId: string; rows: Array<Record<string, number | string>> }>;
}

describe('tile programs over live telemetry, through REST and the CLI', () => {
  let infra: Infra;
  let fleet: Fleet;
  let token = '';
  let apiKey = '';
  let dir: string;

  const rest = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${fleet.gatewayUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fleetplane-tiles-e2e-'));
    infra = await startInfra();
    fleet = await startFleet({ infra, admin, jwtSecret: 'tiles-e2e-secret-that-is-long-enough-012345' });
    const gateway = new GatewayClient(fleet.gatewayUrl);
    await gateway.login(admin.email, admin.password);
    token = (
      (await (
        await fetch(`${fleet.gatewayUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) })
      ).json()) as { accessToken: string }
    ).accessToken;
    for (const [id, site] of Object.entries(SITES)) {
      const { token: agentToken } = await gateway.enrollAgent(id, site);
      await sendTelemetry(fleet.hubWsUrl, id, agentToken);
    }
    const until = Date.now() + 30_000;
    const stored = async () =>
      ((await runSql(fleet.databaseUrls.telemetry, 'SELECT count(*)::int AS n FROM telemetry_samples_raw')).rows[0] as { n: number }).n;
    while ((await stored()) < sent.length) {
      if (Date.now() > until) throw new Error(`telemetry stored ${await stored()} of ${sent.length} samples`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const key = await rest<{ key: string }>('POST', '/api-keys', { name: 'tiles-e2e', role: 'operator' });
    expect(key.status).toBe(201);
    apiKey = key.body.key;
  }, 180_000);

  afterAll(async () => {
    await fleet?.stop();
    await infra?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const program = (name: string) => join(REPO_ROOT, 'apps/tile-worker/programs', `${name}.json`);

  it('p95 CPU per site over the last hour, submitted through REST', async () => {
    const { readFile } = await import('node:fs/promises');
    const body = {
      program: JSON.parse(await readFile(program('p95-cpu-per-site'), 'utf8')) as unknown,
      sources: [{ tileId: 'samples', telemetry: { agents: { all: true }, metrics: ['cpu'], from: '-1h' } }],
    };
    const submitted = await rest<{ id: string }>('POST', '/tiles/jobs', body);
    expect(submitted.status).toBe(202);
    let done: JobResult;
    for (const until = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 100))) {
      done = (await rest<JobResult>('GET', `/tiles/jobs/${submitted.body.id}`)).body;
      if (!['QUEUED', 'RUNNING'].includes(done.job.state) || Date.now() > until) break;
    }
    expect(done.job.state, done.job.error ?? '').toBe('COMPLETED');
    const expected = ['eu', 'us'].map((site) => {
      const cpus = lastHour.filter((s) => SITES[s.agentId] === site).map((s) => s.cpu);
      return { site, samples: cpus.length, meanCpu: cpus.reduce((a, b) => a + b, 0) / cpus.length, p95Cpu: p95(cpus) };
    });
    const rows = done.results[0]!.rows;
    expect(rows.map((r) => [r['site'], r['samples'], r['p95Cpu']])).toEqual(expected.map((e) => [e.site, e.samples, e.p95Cpu]));
    rows.forEach((r, i) => expect(r['meanCpu']).toBeCloseTo(expected[i]!.meanCpu, 9));
    expect(done.job.stats.rowsIn).toBe(lastHour.length);
  });

  it('agents whose disk use grew more than 1 %/h, run with the CLI', async () => {
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          join(REPO_ROOT, 'packages/cli/bin/fleetplane.js'),
          'tiles',
          'run',
          program('disk-growth-over-1pct-per-hour'),
          '--source',
          'samples=telemetry:disk',
          '--from',
          '-1h',
          '--resolution',
          'raw',
          '--json',
        ],
        { env: { PATH: process.env['PATH'] ?? '', FLEETPLANE_URL: fleet.gatewayUrl, FLEETPLANE_API_KEY: apiKey, FLEETPLANE_CONFIG: join(dir, 'config.json') } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as JobResult;
    const growing = Object.keys(SITES)
      .map((agentId) => {
        const mine = lastHour.filter((s) => s.agentId === agentId);
        return { agentId, n: mine.length, g: slope(mine.map((s) => ({ h: s.t / 3_600_000, d: Math.min(100, (s.diskUsed / DISK_TOTAL) * 100) }))) };
      })
      .filter((a) => a.g > 1);
    expect(growing.map((a) => a.agentId)).toEqual(['tiles-eu-b']);
    expect(out.job.state).toBe('COMPLETED');
    const rows = out.results[0]!.rows;
    expect(rows.map((r) => [r['agentId'], r['samples']])).toEqual([['tiles-eu-b', growing[0]!.n]]);
    expect(rows[0]!['growthPerHour']).toBeCloseTo(growing[0]!.g, 4);
  });
});
