// Two instances of every service vs one (issue #13, "Measured"): the same load on the same machine —
// commands through the gateway's REST API to simulated agents (packages/fleet-sim), telemetry from
// them — against the system startMultiSystem builds (packages/devstack/src/multi): N instances of
// every service behind round-robin balancers, on a NATS cluster (R3 streams on 3 nodes) or one server.
// Throughput: commands accepted and completed per second over --seconds with --concurrency submits
// in flight. With --kills, then: NATS node 0 and instance 0 of each service killed -9 in turn under
// a light load, each timed from the kill to the first success through the path it served (a command
// completed; for telemetry a sample stored; for backup and tile-worker their list/stats answered),
// then restarted. Needs the built packages (pnpm run build).
// Run: node bench/multi-instance.mjs [--instances 2] [--nats-nodes 3] [--seconds 20] [--concurrency 16] [--agents 50] [--kills]
import { CommandLoad, executionStates, hubStep, killSteps, runStep, startMultiSystem } from '../packages/devstack/dist/index.js';
import { runSql, until } from '../packages/test-harness/dist/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const INSTANCES = arg('instances', 2);
const NATS_NODES = arg('nats-nodes', INSTANCES > 1 ? 3 : 1);
const SECONDS = arg('seconds', 20);
const CONCURRENCY = arg('concurrency', 16);
const AGENTS = arg('agents', 50);
const KILLS = process.argv.includes('--kills');

const t0 = Date.now();
const system = await startMultiSystem({
  instances: INSTANCES,
  natsNodes: NATS_NODES,
  simulatedAgents: AGENTS,
  referenceAgents: KILLS ? 1 : 0,
  telemetryMs: 1_000,
});
const startupMs = Date.now() - t0;
try {
  const load = new CommandLoad({
    gatewayUrl: system.fleet.gatewayUrl,
    accessToken: system.gateway.bearer,
    targets: () => system.simIds,
    markerAgents: new Set(),
    markerFile: system.markerFile,
    concurrency: CONCURRENCY,
  });
  // A few seconds of warm-up (JIT, connection pools), not counted.
  load.start();
  await new Promise((r) => setTimeout(r, 3_000));
  await load.stop();
  const warm = load.accepted.length;

  const started = Date.now();
  load.start();
  await new Promise((r) => setTimeout(r, SECONDS * 1_000));
  await load.stop();
  const measured = load.accepted.slice(warm).map((c) => c.id);
  const acceptedPerSecond = measured.length / SECONDS;
  await until(
    'the measured commands finished',
    () => executionStates(system.fleet, measured),
    (s) => (s.COMPLETED ?? 0) + (s.FAILED ?? 0) === measured.length,
    180_000,
  );
  const span = await runSql(
    system.fleet.databaseUrls.command,
    "SELECT extract(epoch FROM max(finished_at)) * 1000 AS last, count(*) FILTER (WHERE state = 'COMPLETED')::int AS completed FROM executions WHERE command_id = ANY($1::uuid[])",
    [measured],
  );
  const { last, completed } = span.rows[0];
  const completedPerSecond = completed / ((Number(last) - started) / 1_000);

  const result = {
    instances: INSTANCES,
    natsNodes: NATS_NODES,
    agents: AGENTS,
    concurrency: CONCURRENCY,
    seconds: SECONDS,
    startupMs,
    accepted: measured.length,
    failedSubmits: load.failures,
    acceptedPerSecond: Math.round(acceptedPerSecond * 10) / 10,
    completedPerSecond: Math.round(completedPerSecond * 10) / 10,
  };

  if (KILLS) {
    const light = new CommandLoad({
      gatewayUrl: system.fleet.gatewayUrl,
      accessToken: system.gateway.bearer,
      targets: () => system.simIds,
      markerAgents: new Set(),
      markerFile: system.markerFile,
      concurrency: 3,
      pauseMs: 50,
    });
    light.start();
    const recoveryMs = {};
    for (const step of [...killSteps(system, light), hubStep(system, light)]) recoveryMs[step.what] = await runStep(step);
    await light.stop();
    result.recoveryMs = recoveryMs;
    result.failedSubmitsDuringKills = light.failures;
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await system.stop();
}
process.exit(0);
