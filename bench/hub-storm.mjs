// Reconnect storm: N simulated agents (fleetplane-sim processes, real protocol, the reference agent's
// backoff) hold sessions on one agent-hub; the hub is killed with SIGKILL and started again at once on
// the same ports. Measured from the kill: time until all N hold a session again, the refusals (close
// codes before HELLO_ACK) and socket errors the agents saw, agents that gave up, the hub's peak CPU
// (per 1 s sample) while they came back, and the warn/error lines the new hub logged.
//
//   node bench/hub-storm.mjs [--agents 20000] [--timeout-ms 120000] [--connect-rate 2000] [--tree DIR]
//
// Capped, like hub-idle.mjs, to what RLIMIT_NOFILE lets one process hold.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { parseArgs } from 'node:util';
import { commitId, cpuTicks, fileLimit, seedAgents, sleep, startHubStack, startSims, waitConnected } from './hub-lib.mjs';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '20000' },
    'timeout-ms': { type: 'string', default: '120000' },
    tree: { type: 'string', default: '.' },
    /** How fast the fleet first connects (not what is measured: the storm after the kill is). */
    'connect-rate': { type: 'string', default: '2000' },
  },
});
const limit = fileLimit();
const asked = Number(values.agents);
const n = Math.min(asked, limit.hard - 500);
const timeoutMs = Number(values['timeout-ms']);
const dir = mkdtempSync(join(tmpdir(), 'hub-storm-'));
const credentials = join(dir, 'agents.txt');
const log = (msg) => process.stderr.write(`[storm ${n}] ${msg}\n`);
const sum = (o) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);
const minus = (a = {}, b = {}) =>
  Object.fromEntries(
    Object.entries(a)
      .map(([k, v]) => [k, v - (b[k] ?? 0)])
      .filter(([, v]) => v > 0),
  );

const stack = await startHubStack({ tree: values.tree });
let result;
try {
  await seedAgents(stack.databaseUrl, n, credentials);
  await stack.launch();
  const sims = startSims({
    wsUrl: stack.wsUrl,
    n,
    file: credentials,
    args: ['--heartbeat', '15s', '--telemetry', 'off', '--connect-rate', values['connect-rate']],
  });
  try {
    const firstMs = await waitConnected(sims, n, timeoutMs);
    if (firstMs === null) throw new Error(`only ${sims.totals().connected} of ${n} connected before the kill`);
    log(`all ${n} connected in ${(firstMs / 1000).toFixed(1)} s; killing the hub`);
    await sleep(2_000);
    const before = sims.totals();
    const killedAt = performance.now();
    await stack.hub.stop('SIGKILL');
    const hub = await stack.launch();
    const readyMs = performance.now() - killedAt;
    log(`hub ready again ${(readyMs / 1000).toFixed(1)} s after the kill`);
    // Peak CPU: the hub's ticks per 1 s sample while the fleet comes back.
    let peakCpu = 0;
    let ticks = cpuTicks(hub.pid);
    let at = performance.now();
    const sampler = setInterval(() => {
      const t = cpuTicks(hub.pid);
      const now = performance.now();
      peakCpu = Math.max(peakCpu, ((t - ticks) / 100 / ((now - at) / 1000)) * 100);
      ticks = t;
      at = now;
    }, 1_000);
    let lastLog = 0;
    // Every agent's session dropped at the kill, so "all back" = all connected again.
    await sleep(1_000);
    const backMs = await waitConnected(sims, n, timeoutMs, (t) => {
      if (performance.now() - lastLog > 5_000) {
        lastLog = performance.now();
        log(`${t.connected ?? 0} back, refused ${JSON.stringify(minus(t.refusedByCode, before.refusedByCode))}`);
      }
    });
    clearInterval(sampler);
    const after = sims.totals();
    const hubLines = hub
      .output()
      .split('\n')
      .filter((l) => /"level":(40|50|60)|\b(WARN|ERROR)\b/.test(l));
    const kinds = new Map();
    for (const l of hubLines) {
      const msg = /"msg":"([^"]{0,120})/.exec(l)?.[1] ?? l.slice(0, 120);
      const key = msg.replace(/sim-\d+/g, 'sim-N').replace(/[0-9a-f-]{36}/g, 'UUID');
      kinds.set(key, (kinds.get(key) ?? 0) + 1);
    }
    result = {
      n,
      backMs: backMs === null ? null : backMs + 1_000,
      readyMs,
      back: after.connected ?? 0,
      refusedByCode: minus(after.refusedByCode, before.refusedByCode),
      socketErrors: minus(after.socketErrors, before.socketErrors),
      gaveUp: after.gaveUp ?? {},
      reconnects: (after.reconnects ?? 0) - (before.reconnects ?? 0),
      peakCpu,
      hubLogLines: hubLines.length,
      hubLogKinds: [...kinds.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8),
    };
    log(JSON.stringify(result));
  } finally {
    await sims.stop();
  }
} finally {
  await stack.stop();
}

const r = result;
console.log(`\n## Reconnect storm (${commitId(values.tree)}, Node ${process.version}, RLIMIT_NOFILE ${limit.soft}/${limit.hard})\n`);
console.log(
  '| agents | all back after the kill | hub ready after | reconnect attempts | refused before HELLO_ACK | socket errors | gave up | hub peak CPU (1 s) | hub warn/error lines |',
);
console.log('|---:|---:|---:|---:|---|---|---:|---:|---:|');
console.log(
  `| ${r.n.toLocaleString('en')}${n < asked ? ` (${asked.toLocaleString('en')} asked: capped by RLIMIT_NOFILE)` : ''} | ${r.backMs === null ? `not within ${timeoutMs / 1000} s (${r.back} back)` : `${(r.backMs / 1000).toFixed(1)} s`} | ${(r.readyMs / 1000).toFixed(1)} s | ${r.reconnects.toLocaleString('en')} | ${sum(r.refusedByCode)} ${JSON.stringify(r.refusedByCode)} | ${sum(r.socketErrors)} ${JSON.stringify(r.socketErrors)} | ${sum(r.gaveUp)} | ${r.peakCpu.toFixed(0)} % | ${r.hubLogLines} |`,
);
if (r.hubLogKinds.length) {
  console.log('\nThe new hub logged (most frequent first):');
  for (const [msg, count] of r.hubLogKinds) console.log(`- ${count} × ${msg}`);
}
