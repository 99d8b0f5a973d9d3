// Baseline of the walking skeleton: end-to-end latency of `exec echo hello`
// (POST /api/v1/commands until GET shows it finished) over N sequential
// commands with one agent, and the idle RSS of each service process.
// Loopback only; bounded by N and a time budget. Run: node bench/command-path.mjs [N]
import { readFileSync } from 'node:fs';
import { startInfra } from '../packages/test-harness/dist/index.js';
import { startFleet, GatewayClient } from '../packages/devstack/dist/index.js';

const N = Number(process.argv[2] ?? 1000);
const BUDGET_MS = 10 * 60_000;
const admin = { email: 'bench@fleetplane.local', password: 'bench-password-not-secret' };

const rssMiB = (pid) => {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
};
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const infra = await startInfra();
const fleet = await startFleet({
  infra,
  admin,
  jwtSecret: 'bench-secret-that-is-long-enough-0123456789',
  env: { LOG_LEVEL: 'warn', ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}) },
});
try {
  const gateway = new GatewayClient(fleet.gatewayUrl);
  await gateway.login(admin.email, admin.password);
  const { token } = await gateway.enrollAgent('bench-agent', 'bench');
  await fleet.startAgent({
    id: 'bench-agent',
    token,
    env: { LOG_LEVEL: 'warn', ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}) },
  });
  await gateway.waitForAgent('bench-agent');

  // Idle: everything started, nothing asked of it for a few seconds.
  await new Promise((r) => setTimeout(r, 5_000));
  const idle = [...fleet.processes.entries()].map(([name, p]) => [name, rssMiB(p.pid)]);

  const warmup = 20;
  const latencies = [];
  const started = Date.now();
  for (let i = 0; i < N + warmup && Date.now() - started < BUDGET_MS; i++) {
    const t0 = performance.now();
    const c = await gateway.submitCommand({ verb: 'exec', params: { argv: ['echo', 'hello'] }, targets: ['bench-agent'] });
    const done = await gateway.waitForCommand(c.id, 30_000, 2);
    const ms = performance.now() - t0;
    if (done.state !== 'COMPLETED') throw new Error(`command ${c.id} ended ${done.state}`);
    if (i >= warmup) latencies.push(ms);
  }
  const after = Object.fromEntries([...fleet.processes.entries()].map(([name, p]) => [name, rssMiB(p.pid)]));
  latencies.sort((a, b) => a - b);
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  console.log(`\n## Command path (${latencies.length} sequential exec echo hello, one agent, ${warmup} warm-up commands not counted)\n`);
  console.log('| p50 | p90 | p99 | max | mean | throughput |');
  console.log('|---|---|---|---|---|---|');
  console.log(
    `| ${pct(latencies, 50).toFixed(1)} ms | ${pct(latencies, 90).toFixed(1)} ms | ${pct(latencies, 99).toFixed(1)} ms | ${latencies.at(-1).toFixed(1)} ms | ${mean.toFixed(1)} ms | ${(1000 / mean).toFixed(1)} commands/s |`,
  );
  console.log('\n## Resident memory (RSS) per process\n');
  console.log('| process | idle | after the run |');
  console.log('|---|---|---|');
  for (const [name, mib] of idle) console.log(`| ${name} | ${mib.toFixed(0)} MiB | ${after[name].toFixed(0)} MiB |`);
} finally {
  await fleet.stop();
  await infra.stop();
}
