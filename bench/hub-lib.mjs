// Shared by bench/hub-idle.mjs and bench/hub-storm.mjs: one agent-hub process (the BUILT app, started
// as the image starts it, on fresh nats-server and PostgreSQL on loopback), N agents seeded straight
// into its registry, the bare-ws peer, and fleetplane-sim processes (packages/fleet-sim, built)
// speaking the real protocol to either. Loopback only.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, runSql, spawnProcess, startNats, startPostgres, SERVICE_NODE_ARGS } from '../packages/test-harness/dist/index.js';
import { deployMigrations } from '../packages/prisma-migrate/dist/index.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SIM_BIN = join(ROOT, 'packages', 'fleet-sim', 'bin', 'fleetplane-sim.js');
const PEER = join(ROOT, 'bench', 'bare-ws-peer.mjs');

/** Sockets per simulator process: each process holds one descriptor per agent, and RLIMIT_NOFILE is per process. */
export const AGENTS_PER_SIM = 9_000;
/** Source addresses the simulators spread over (28,000 ephemeral ports per address pair on loopback). */
export const LOCAL_ADDRESSES = '127.0.0.2-127.0.0.9';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The soft and hard limits on open files this process (and so every child) has. */
export function fileLimit() {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = line.split(/\s+/).slice(3, 5).map(Number);
  return { soft, hard };
}

export const rssKiB = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
/** utime + stime of a process, in clock ticks (100 per second on Linux). */
export const cpuTicks = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
/** Percent of one core `pid` used over the next `ms`. */
export async function cpuPercent(pid, ms) {
  const t0 = cpuTicks(pid);
  const w0 = performance.now();
  await sleep(ms);
  return ((cpuTicks(pid) - t0) / 100 / ((performance.now() - w0) / 1_000)) * 100;
}

/**
 * Fresh NATS and PostgreSQL, the hub's database migrated, and a launcher for the hub process of
 * `tree` (this checkout, or a built worktree of another commit: a before/after in one sitting);
 * `nodeArgs` go before the service's own (e.g. `--heapsnapshot-signal=SIGUSR2`).
 */
export async function startHubStack({ env = {}, tree = ROOT, nodeArgs = [] } = {}) {
  const HUB_DIR = join(resolve(tree), 'apps', 'agent-hub');
  const [nats, postgres] = await Promise.all([startNats(), startPostgres()]);
  const databaseUrl = await postgres.createDatabase('agent_hub');
  await deployMigrations({ schemaPath: join(HUB_DIR, 'prisma', 'schema.prisma'), migrationsDir: join(HUB_DIR, 'prisma', 'migrations'), databaseUrl });
  const ports = { http: await freePort(), grpc: await freePort(), metrics: await freePort() };
  let hub;
  return {
    databaseUrl,
    wsUrl: `ws://127.0.0.1:${ports.http}/agent/v1`,
    get hub() {
      return hub;
    },
    /** Starts the hub (again, on the same ports) and waits for /ready. */
    async launch() {
      hub = spawnProcess('agent-hub', process.execPath, [...nodeArgs, ...SERVICE_NODE_ARGS], {
        cwd: HUB_DIR,
        env: {
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: String(ports.http),
          GRPC_PORT: String(ports.grpc),
          METRICS_PORT: String(ports.metrics),
          DATABASE_URL: databaseUrl,
          NATS_URL: nats.url,
          OTEL_SERVICE_NAME: 'agent-hub',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_TRACES_EXPORTER: 'none',
          LOG_LEVEL: 'warn',
          ...env,
        },
      });
      await hub.waitForHttp(`http://127.0.0.1:${ports.http}/ready`, 60_000);
      return hub;
    },
    async stop() {
      await hub?.stop().catch(() => undefined);
      await Promise.all([nats.stop(), postgres.stop()]);
    },
  };
}

const tokenOf = (i) => `sim-bench-token-${String(i).padStart(8, '0')}`;

/**
 * N agents straight into the registry (one INSERT ... generate_series, SHA-256 as the hub stores
 * credentials), and the same N as a credentials file for the simulators: minting 50,000 through the
 * enroll route would be most of the run.
 */
export async function seedAgents(databaseUrl, n, file) {
  await runSql(
    databaseUrl,
    `INSERT INTO agents (id, token_hash, site)
     SELECT 'sim-' || i, encode(sha256(convert_to('sim-bench-token-' || lpad(i::text, 8, '0'), 'UTF8')), 'hex'), 'bench'
     FROM generate_series(0, $1::int - 1) AS i ON CONFLICT (id) DO NOTHING`,
    [n],
  );
  const probe = createHash('sha256').update(tokenOf(0)).digest('hex');
  const row = await runSql(databaseUrl, `SELECT token_hash FROM agents WHERE id = 'sim-0'`);
  if (row.rows[0]?.token_hash !== probe) throw new Error('seeded credential hash does not match the hub’s SHA-256');
  writeFileSync(file, Array.from({ length: n }, (_, i) => `sim-${i} ${tokenOf(i)} bench`).join('\n') + '\n');
}

/** The bare-ws peer on a free port. */
export async function startPeer() {
  const port = await freePort();
  const peer = spawnProcess('bare-ws-peer', process.execPath, ['--max-semi-space-size=4', PEER, '--port', String(port)], {});
  await peer.waitForOutput(/listening/, 10_000);
  return { process: peer, wsUrl: `ws://127.0.0.1:${port}/agent/v1` };
}

/**
 * `n` simulated agents from `file`, AGENTS_PER_SIM per fleetplane-sim process, each reporting its
 * summary every second; `totals()` adds up the latest report of each.
 */
export function startSims({ wsUrl, n, file, args = [] }) {
  const sims = [];
  for (let offset = 0; offset < n; offset += AGENTS_PER_SIM) {
    const count = Math.min(AGENTS_PER_SIM, n - offset);
    const child = spawn(
      process.execPath,
      [
        SIM_BIN,
        '--hub',
        wsUrl,
        '--credentials',
        file,
        '--offset',
        String(offset),
        '--agents',
        String(count),
        '--local-addresses',
        LOCAL_ADDRESSES,
        '--progress',
        '1s',
        '--json',
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const sim = { child, count, latest: undefined, final: undefined, stderr: '' };
    let buf = '';
    child.stderr.on('data', (d) => {
      buf += d.toString();
      for (let i; (i = buf.indexOf('\n')) >= 0;) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('{"progress"')) sim.latest = JSON.parse(line);
        else sim.stderr += line + '\n';
      }
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    sim.exited = new Promise((r) => child.on('close', () => r(out.trim() ? (sim.final = JSON.parse(out.trim().split('\n').at(-1))) : undefined)));
    sims.push(sim);
  }
  const add = (into, from) => {
    for (const [k, v] of Object.entries(from ?? {})) {
      if (typeof v === 'number') into[k] = (into[k] ?? 0) + v;
      else if (v && typeof v === 'object') add((into[k] ??= {}), v);
    }
    return into;
  };
  return {
    pids: sims.map((s) => s.child.pid),
    totals: () => sims.reduce((acc, s) => add(acc, s.latest ?? { agents: s.count }), {}),
    async stop() {
      for (const s of sims) s.child.kill('SIGTERM');
      const finals = await Promise.all(sims.map((s) => s.exited));
      const total = finals.reduce((acc, f) => add(acc, f), {});
      const errors = sims.map((s) => s.stderr).join('');
      return { total, errors };
    },
  };
}

/** Waits until the simulators report `n` agents connected at once; the ms it took, or null after `timeoutMs`. */
export async function waitConnected(sims, n, timeoutMs, onTick = () => {}) {
  const t0 = performance.now();
  for (;;) {
    const t = sims.totals();
    onTick(t);
    if ((t.connected ?? 0) >= n) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) return null;
    await sleep(250);
  }
}

export const fmtKiB = (kib) => `${kib.toFixed(1)} KiB`;
/** The commit the measured tree is at, and whether it has uncommitted changes. */
export const commitId = (tree = ROOT) => {
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: tree, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: tree, encoding: 'utf8' }).trim();
  return dirty ? `${head} + uncommitted changes` : head;
};
