// The agent registry at 100,000 agents: ListAgents with each filter and combinations, CountAgents,
// SummarizeAgents and a SelectAgents stream over the whole fleet, timed at a gRPC client on
// loopback against the BUILT agent-hub process on a real PostgreSQL (the test-harness's), with
// 100,000 agent rows inserted in one INSERT … SELECT generate_series (the fleet of
// apps/agent-hub/src/registry/testing/fleet-rows.ts) and ANALYZEd. One request at a time, so a
// figure is one request's latency, not a queue's. EXPLAIN (ANALYZE) of the main queries is printed
// too, so the plans (which index, how many rows read) sit beside the timings.
//
//   node bench/registry.mjs [--samples 500] [--agents 100000]
//
// Loopback only; bounded: (scenarios × (samples + 50 warm-up)) requests one at a time, about a
// minute with the defaults, start-up included. Needs `pnpm turbo run build --filter=@fleetplane/agent-hub...`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { agentHubV1, createGrpcClient, unary } from '../packages/contracts/dist/grpc.js';
import { runSql } from '../packages/test-harness/dist/index.js';
import { insertFleetSql, SEEN_BASE } from '../apps/agent-hub/dist/registry/testing/fleet-rows.js';
import { startRegistryHub } from '../apps/agent-hub/dist/registry/testing/registry-hub.js';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '500' }, agents: { type: 'string', default: '100000' } } });
const SAMPLES = Number(values.samples);
const AGENTS = Number(values.agents);
const WARMUP = 50;
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const before = new Date(SEEN_BASE.getTime() - 500 * 60_000).toISOString();
const LISTS = [
  ['no filter', {}],
  ['site', { site: 'par' }],
  ['label', { labels: { rack: 'r7' } }],
  ['two labels', { labels: { rack: 'r8', tier: 'web' } }],
  ['label no agent has', { labels: { rack: 'r7', tier: 'web' } }],
  ['capability', { capabilities: ['docker'] }],
  ['os (10 %)', { os: 'windows' }],
  ['version', { version: '1.3' }],
  ['connected (14 %)', { connectedOnly: true }],
  ['disconnected', { disconnectedOnly: true }],
  ['seen before', { lastSeenBefore: before }],
  ['seen after', { lastSeenAfter: before }],
  ['site+label+capability+connected', { site: 'par', labels: { tier: 'web' }, capabilities: ['docker'], connectedOnly: true }],
  ['os+version+seen window', { os: 'linux', version: '1.2', lastSeenAfter: before, lastSeenBefore: SEEN_BASE.toISOString() }],
];
const COUNTS = [
  ['count: all', {}],
  ['count: label', { labels: { rack: 'r7' } }],
  ['count: capability', { capabilities: ['docker'] }],
  ['count: connected', { connectedOnly: true }],
  ['count: site+label+connected', { site: 'par', labels: { tier: 'web' }, connectedOnly: true }],
];

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
async function measure(name, fn) {
  for (let i = 0; i < WARMUP; i++) await fn(i);
  const ms = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const row = { name, p50: pct(ms, 50), p90: pct(ms, 90), p99: pct(ms, 99), max: ms.at(-1) };
  console.log(`| ${name} | ${[row.p50, row.p90, row.p99, row.max].map((v) => `${v.toFixed(2)} ms`).join(' | ')} |`);
  return row;
}

console.log(`load before start-up: ${loadavg()}`);
const hub = await startRegistryHub({ HEARTBEAT_INTERVAL_MS: '600000', LOG_LEVEL: 'warn' });
try {
  const t0 = Date.now();
  await runSql(hub.databaseUrl, insertFleetSql(AGENTS), [new Date()]);
  // The steady state of a long-lived registry rather than of a table just filled: autovacuum would
  // have merged the GIN indexes' pending lists and set the visibility map by now, and then a
  // presence flush rewrites every connected agent's row (clearing the visibility map again on the
  // pages that hold one: about every page here, as connected agents are spread evenly).
  await runSql(hub.databaseUrl, 'VACUUM ANALYZE agents');
  await runSql(hub.databaseUrl, `UPDATE agents SET last_seen_at = now() WHERE session_id LIKE 'session-%'`);
  console.log(`inserted, vacuumed and presence-flushed ${AGENTS} agents in ${Date.now() - t0} ms`);
  const agents = await createGrpcClient('agentHub', hub.grpcAddress);
  const registry = await createGrpcClient('agentHub', hub.grpcAddress, agentHubV1.AGENT_REGISTRY_SERVICE_NAME);

  // A deep page: the token of page 100 of a filtered listing, asked again and again.
  let deep = '';
  for (let i = 0; i < 100; i++) deep = (await unary(agents, 'listAgents', { labels: { tier: 'web' }, pageSize: 50, pageToken: deep })).nextPageToken;

  console.log(`\nload before timing: ${loadavg()}; ${SAMPLES} samples each after ${WARMUP} warm-up, one at a time\n`);
  console.log('| request (ListAgents, page of 50) | p50 | p90 | p99 | max |\n|---|---|---|---|---|');
  const rows = [];
  // The fixed cost of a call to the hub (gRPC, Nest, Prisma, one row by primary key), for scale.
  await measure('GetAgent (baseline: one row by id)', () => unary(agents, 'getAgent', { agentId: 'agent-050000' }));
  for (const [name, filter] of LISTS) rows.push(await measure(name, () => unary(agents, 'listAgents', { ...filter, pageSize: 50 })));
  rows.push(await measure('label, page 101 (keyset token)', () => unary(agents, 'listAgents', { labels: { tier: 'web' }, pageSize: 50, pageToken: deep })));
  for (const [name, filter] of COUNTS) rows.push(await measure(name, () => unary(registry, 'countAgents', filter)));
  rows.push(await measure('summary (site, os, version)', () => unary(registry, 'summarizeAgents', {})));

  const streams = [];
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    let n = 0;
    for await (const msg of registry.selectAgents({ selector: { all: true } })) n += msg.agents.length;
    streams.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (n !== AGENTS) throw new Error(`SelectAgents streamed ${n} agents, not ${AGENTS}`);
  }
  streams.sort((a, b) => a - b);
  console.log(
    `\nSelectAgents {all}: ${AGENTS} agents in ${AGENTS / 1000} messages, 5 runs: best ${streams[0].toFixed(0)} ms, median ${streams[2].toFixed(0)} ms, worst ${streams[4].toFixed(0)} ms`,
  );
  const worst = rows.reduce((a, b) => (b.p99 > a.p99 ? b : a));
  console.log(`worst p99: ${worst.p99.toFixed(2)} ms (${worst.name}); goal ≤ 20 ms`);
  console.log(`load after timing: ${loadavg()}`);

  // The plans, with literal values (Prisma binds parameters; the shapes are the same).
  const since = new Date(Date.now() - 1_800_000).toISOString();
  const conn = `(session_id IS NOT NULL AND last_seen_at IS NOT NULL AND last_seen_at >= '${since}')`;
  const plans = [
    ['label', `SELECT id FROM agents WHERE labels @> '{"rack":"r7"}'::jsonb ORDER BY id LIMIT 51`],
    ['label no agent has', `SELECT id FROM agents WHERE labels @> '{"rack":"r7","tier":"web"}'::jsonb ORDER BY id LIMIT 51`],
    ['capability', `SELECT id FROM agents WHERE capabilities @> ARRAY['docker']::text[] ORDER BY id LIMIT 51`],
    ['os', `SELECT id FROM agents WHERE os = 'windows' ORDER BY id LIMIT 51`],
    ['connected', `SELECT id FROM agents WHERE ${conn} ORDER BY id LIMIT 51`],
    ['seen before', `SELECT id FROM agents WHERE last_seen_at < '${before}' ORDER BY id LIMIT 51`],
    ['count: label', `SELECT count(*) FROM agents WHERE labels @> '{"rack":"r7"}'::jsonb`],
    ['count: all', `SELECT count(*) FROM agents`],
    ['count: site+label+connected', `SELECT count(*) FROM agents WHERE site = 'par' AND labels @> '{"tier":"web"}'::jsonb AND ${conn}`],
  ];
  for (const [name, sql] of plans) {
    const res = await runSql(hub.databaseUrl, `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`);
    console.log(`\nEXPLAIN ${name}:\n${res.rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`);
  }
  agents.close();
  registry.close();
} finally {
  await hub.stop();
}
