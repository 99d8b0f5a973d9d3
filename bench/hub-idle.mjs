// Idle agents held by one agent-hub process, next to the bare `ws` peer (bench/bare-ws-peer.mjs)
// holding the same sockets, in one run:
//
//   node bench/hub-idle.mjs [--sizes 10000,20000,50000] [--settle-ms 15000] [--cpu-ms 30000] [--tree DIR]
//
// For each size and each server in turn (hub, then peer), a fresh server process: its RSS 5 s after
// it is ready (idle), then that many simulated agents (fleetplane-sim processes, apart from the
// server, packages/fleet-sim built) connect over the real protocol with a 15 s heartbeat and no
// telemetry; once all hold a session and `--settle-ms` passed, RSS again (per agent = the growth / N)
// and the server's CPU over `--cpu-ms` (utime+stime from /proc). Agents are seeded straight into the
// hub's registry. A size above what RLIMIT_NOFILE lets one process hold (one descriptor per socket;
// the limit is per process) is capped to it and the table says so.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { commitId, cpuPercent, fileLimit, fmtKiB, rssKiB, seedAgents, sleep, startHubStack, startPeer, startSims, waitConnected } from './hub-lib.mjs';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,20000,50000' },
    'settle-ms': { type: 'string', default: '15000' },
    'cpu-ms': { type: 'string', default: '30000' },
    'connect-timeout-ms': { type: 'string', default: '180000' },
    /** The checkout whose agent-hub is measured (built); the simulators and the peer are always this one's. */
    tree: { type: 'string', default: '.' },
  },
});
const limit = fileLimit();
// Room for the server's own descriptors (listening sockets, NATS, the database pool, stdio, libuv).
const maxAgents = limit.hard - 500;
const sizes = values.sizes.split(',').map(Number);
const settleMs = Number(values['settle-ms']);
const cpuMs = Number(values['cpu-ms']);
const dir = mkdtempSync(join(tmpdir(), 'hub-idle-'));
const credentials = join(dir, 'agents.txt');
const SIM_ARGS = ['--heartbeat', '15s', '--telemetry', 'off', '--connect-rate', '2000'];

async function measure(server, wsUrl, pid, n) {
  const log = (msg) => process.stderr.write(`[${server} ${n}] ${msg}\n`);
  await sleep(5_000);
  const idleKiB = rssKiB(pid);
  log(`idle ${fmtKiB(idleKiB)}; connecting`);
  const sims = startSims({ wsUrl, n, file: credentials, args: SIM_ARGS });
  let lastLog = 0;
  const connectMs = await waitConnected(sims, n, Number(values['connect-timeout-ms']), (t) => {
    if (performance.now() - lastLog > 5_000) {
      lastLog = performance.now();
      log(`connected ${t.connected ?? 0}, refused ${JSON.stringify(t.refusedByCode ?? {})}`);
    }
  });
  await sleep(settleMs);
  const loadedKiB = rssKiB(pid);
  // The simulators' own cost per agent (each process's RSS includes its ~50 MiB of Node and modules).
  const simKiB = sims.pids.reduce((a, p) => a + rssKiB(p), 0);
  const cpu = await cpuPercent(pid, cpuMs);
  const seen = sims.totals();
  const { total } = await sims.stop();
  const row = {
    server,
    n,
    connectMs,
    connected: seen.connected ?? 0,
    refused: Object.values(total.refusedByCode ?? {}).reduce((a, b) => a + b, 0),
    refusedByCode: total.refusedByCode ?? {},
    dropped: total.droppedByCode ?? {},
    socketErrors: total.socketErrors ?? {},
    idleMiB: idleKiB / 1024,
    loadedMiB: loadedKiB / 1024,
    perAgentKiB: (loadedKiB - idleKiB) / n,
    simPerAgentKiB: simKiB / n,
    cpu,
  };
  log(JSON.stringify(row));
  return row;
}

const rows = [];
const largest = Math.min(maxAgents, Math.max(...sizes));
const stack = await startHubStack({ tree: values.tree });
try {
  await seedAgents(stack.databaseUrl, largest, credentials);
  const done = new Set();
  for (const asked of sizes) {
    const n = Math.min(asked, maxAgents);
    // 20,000 and 50,000 both capped to the same size: measured once, and the table says so.
    if (done.has(n)) {
      process.stderr.write(`${asked}: capped to ${n} by RLIMIT_NOFILE, already measured\n`);
      continue;
    }
    done.add(n);
    const hub = await stack.launch();
    rows.push({ asked, ...(await measure('agent-hub', stack.wsUrl, hub.pid, n)) });
    await hub.stop();
    const peer = await startPeer();
    rows.push({ asked, ...(await measure('bare ws peer', peer.wsUrl, peer.process.pid, n)) });
    await peer.process.stop();
  }
} finally {
  await stack.stop();
}

console.log(`\n## Idle agents per hub process (${commitId(values.tree)}, Node ${process.version}, RLIMIT_NOFILE ${limit.soft}/${limit.hard})\n`);
console.log(
  '| agents (asked) | server | connected | refused | time to connect | idle RSS | RSS with agents | per agent | CPU at a 15 s heartbeat | simulators’ RSS per agent |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const asked = r.asked === r.n ? r.n.toLocaleString('en') : `${r.n.toLocaleString('en')} (${r.asked.toLocaleString('en')}: capped by RLIMIT_NOFILE)`;
  console.log(
    `| ${asked} | ${r.server} | ${r.connected.toLocaleString('en')} | ${r.refused}${r.refused ? ` ${JSON.stringify(r.refusedByCode)}` : ''} | ${r.connectMs === null ? 'not all' : `${(r.connectMs / 1000).toFixed(1)} s`} | ${r.idleMiB.toFixed(0)} MiB | ${r.loadedMiB.toFixed(0)} MiB | ${fmtKiB(r.perAgentKiB)} | ${r.cpu.toFixed(1)} % | ${fmtKiB(r.simPerAgentKiB)} |`,
  );
}
for (let i = 0; i + 1 < rows.length; i += 2) {
  const [hub, peer] = [rows[i], rows[i + 1]];
  const errors = Object.entries(hub.socketErrors).map(([m, c]) => `${c} × ${m}`);
  if (errors.length) console.log(`\n${hub.n.toLocaleString('en')} agents: socket errors seen against agent-hub: ${errors.join('; ')}`);
  console.log(
    `\n${hub.n.toLocaleString('en')}: hub/peer memory per agent ${(hub.perAgentKiB / peer.perAgentKiB).toFixed(2)}x, CPU ${(hub.cpu / Math.max(peer.cpu, 0.1)).toFixed(1)}x`,
  );
}
