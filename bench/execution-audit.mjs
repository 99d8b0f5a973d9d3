// Executions' final states into the audit log (issue #10 item 9): how long the gateway takes to
// store one audit row per execution when a 10,000-agent command finishes at once. The whole
// system as `make up` runs it (real nats-server, redis-server and PostgreSQL on loopback, the six
// services as separate processes, LOG_LEVEL=warn, no OTLP export); this process publishes
// `execution.updated` COMPLETED events for one command on NATS as fast as it can (what command
// emits as the results arrive) and polls the gateway's database until every row is there.
//
//   node bench/execution-audit.mjs [--executions 10000] [--batch-rows 500] [--runs 3]
//
// --batch-rows 1 is the row-by-row baseline (one INSERT per row, the same code path). Loopback
// only; bounded: start-up (~30 s) plus `runs` × a few seconds.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { runSql, startInfra } from '../packages/test-harness/dist/index.js';
import { startFleet } from '../packages/devstack/dist/index.js';

const { values } = parseArgs({
  options: {
    executions: { type: 'string', default: '10000' },
    'batch-rows': { type: 'string', default: '500' },
    runs: { type: 'string', default: '3' },
  },
});
const N = Number(values.executions);
const BATCH = values['batch-rows'];
const RUNS = Number(values.runs);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const infra = await startInfra();
let fleet;
try {
  fleet = await startFleet({
    infra,
    admin: { email: 'bench@fleetplane.local', password: 'bench-password-not-secret' },
    jwtSecret: 'bench-secret-that-is-long-enough-0123456789',
    env: { LOG_LEVEL: 'warn', AUDIT_BATCH_MAX_ROWS: BATCH },
  });
  const db = fleet.databaseUrls.gateway;
  const nc = await connect({ servers: infra.nats.url });
  console.log(`executions=${N} AUDIT_BATCH_MAX_ROWS=${BATCH} AUDIT_BATCH_FLUSH_MS=1000 (default); load before: ${loadavg()}`);
  for (let run = 1; run <= RUNS; run++) {
    const commandId = randomUUID();
    const started = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      nc.publish(
        'fleet.events.execution.updated',
        JSON.stringify({
          commandId,
          executionId: `${commandId.slice(0, 8)}-${i}`,
          agentId: `sim-${String(i).padStart(5, '0')}`,
          state: 'COMPLETED',
          exitCode: 0,
          at: new Date().toISOString(),
        }),
      );
    }
    await nc.flush();
    const published = Number(process.hrtime.bigint() - started) / 1e6;
    let stored = 0;
    for (;;) {
      stored = Number((await runSql(db, 'select count(*)::int as n from audit_log where command_id = $1', [commandId])).rows[0].n);
      if (stored >= N) break;
      if (Number(process.hrtime.bigint() - started) / 1e6 > 120_000) throw new Error(`only ${stored} of ${N} rows after 120 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(
      `run ${run}: published ${N} events in ${published.toFixed(0)} ms; all ${stored} rows stored after ${ms.toFixed(0)} ms (${Math.round((N / ms) * 1000)} rows/s); load ${loadavg()}`,
    );
  }
  await nc.close();
} finally {
  await fleet?.stop();
  await infra.stop();
}
