import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { commandV1, createGrpcClient, unary, type GrpcClient } from '@fleetplane/contracts/grpc';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import { freePort, runSql, spawnProcess, startInfra, type Infra, type ManagedProcess, SERVICE_NODE_ARGS } from '@fleetplane/test-harness';
import { ALL_STATES, countStates, deriveCommandState } from '../executions/command-state.js';
import type { ExecutionState } from '../generated/prisma/enums.js';

// GetCommandStatistics on the built service process against real PostgreSQL (Redis and NATS
// because the service needs them to start). Rows are written with SQL so their times can lie
// in the past; the expected numbers come from deriveCommandState, the rule the SQL restates.

const appDir = new URL('../../', import.meta.url).pathname;
const MINUTE = 60_000;
const STATES = ALL_STATES;
const TERMINAL = new Set<ExecutionState>(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'SKIPPED', 'EXPIRED']);

/** Execution states of one command each: every branch of the derivation. */
const COMBOS: ExecutionState[][] = [
  ['COMPLETED', 'COMPLETED'],
  ['COMPLETED', 'FAILED', 'TIMED_OUT'],
  ['TIMED_OUT', 'CANCELLED'],
  ['CANCELLED', 'COMPLETED'],
  ['RUNNING', 'QUEUED', 'COMPLETED'],
  ['DISPATCHED', 'RUNNING'],
  ['RUNNING', 'FAILED'],
  ['PENDING', 'RUNNING'],
  ['EXPIRED', 'CANCELLED', 'COMPLETED'],
  ['SKIPPED', 'COMPLETED'],
  ['SKIPPED', 'SKIPPED'],
  [],
];

const startOfMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

describe('CommandStatisticsService (process, real PostgreSQL)', () => {
  let infra: Infra;
  let databaseUrl: string;
  let service: ManagedProcess;
  let client: GrpcClient;
  const statistics = () => unary<commandV1.GetCommandStatisticsResponse>(client, 'getCommandStatistics', {});
  /** finished_at of every execution written, to know what each minute must count. */
  const finished: number[] = [];

  /** One command created at `createdAt` with one execution per state; final ones finished at `finishedAt`. */
  async function insertCommand(createdAt: Date, states: ExecutionState[], finishedAt = createdAt): Promise<void> {
    const rows = await runSql(
      databaseUrl,
      `INSERT INTO commands (id, verb, params, priority, requested_by, timeout_seconds, created_at, updated_at)
       VALUES (gen_random_uuid(), 'exec', '{}', 'NORMAL', 'tester', 60, $1, $1) RETURNING id`,
      [createdAt],
    );
    const id = (rows.rows[0] as { id: string }).id;
    for (const [i, state] of states.entries()) {
      const done = TERMINAL.has(state) ? finishedAt : null;
      if (done) finished.push(done.getTime());
      await runSql(
        databaseUrl,
        `INSERT INTO executions (id, command_id, agent_id, state, deadline_at, created_at, finished_at)
         VALUES (gen_random_uuid(), $1, $2, $3::"ExecutionState", $4, $4, $5)`,
        [id, `agent-${i}`, state, createdAt, done],
      );
    }
  }

  beforeAll(async () => {
    infra = await startInfra();
    databaseUrl = await infra.postgres.createDatabase('command');
    await deployMigrations({ schemaPath: join(appDir, 'prisma/schema.prisma'), migrationsDir: join(appDir, 'prisma/migrations'), databaseUrl });
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    service = spawnProcess('command', process.execPath, [...SERVICE_NODE_ARGS], {
      cwd: appDir,
      env: {
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        DATABASE_URL: databaseUrl,
        NATS_URL: infra.nats.url,
        REDIS_URL: infra.redis.url,
        OTEL_SERVICE_NAME: 'command',
        OTEL_METRICS_EXPORTER: 'none',
      },
    });
    await service.waitForHttp(`http://127.0.0.1:${httpPort}/ready`, 30_000);
    client = await createGrpcClient('command', `127.0.0.1:${grpcPort}`, commandV1.COMMAND_STATISTICS_SERVICE_NAME);
  });

  afterAll(async () => {
    client?.close();
    await service?.stop();
    await infra?.stop();
  });

  it('answers every state at zero and 60 empty minutes, oldest first, ending with the current one', async () => {
    const before = startOfMinute(Date.now());
    const res = await statistics();
    const after = startOfMinute(Date.now());
    for (const w of [res.lastHour, res.lastDay]) {
      expect(w?.total).toBe(0);
      expect(w?.byState).toEqual(STATES.map((s) => ({ state: `COMMAND_STATE_${s}`, count: 0 })));
    }
    const minutes = res.executionsPerMinute.map((b) => Date.parse(b.minute));
    expect(minutes).toHaveLength(60);
    expect(res.executionsPerMinute.every((b) => b.count === 0)).toBe(true);
    expect(minutes.slice(1).map((m, i) => m - minutes[i]!)).toEqual(Array(59).fill(MINUTE));
    expect([before, after]).toContain(minutes[59]);
  });

  it('counts the last hour and day by derived state, and finished executions per minute', async () => {
    const now = Date.now();
    const ago = (ms: number) => new Date(now - ms);
    // In the last hour (and so the last day), once each; in the last day only, twice each; older, not at all.
    for (const states of COMBOS) await insertCommand(ago(10 * MINUTE), states, ago(5 * MINUTE));
    for (const states of COMBOS) {
      await insertCommand(ago(3 * 3_600_000), states);
      await insertCommand(ago(20 * 3_600_000), states);
      await insertCommand(ago(2 * 24 * 3_600_000), states);
    }
    // Finished at chosen minutes of the window, on an old command, and one too old to show.
    await insertCommand(ago(3 * 24 * 3_600_000), ['COMPLETED', 'FAILED'], ago(MINUTE));
    await insertCommand(ago(3 * 24 * 3_600_000), ['COMPLETED'], ago(30 * MINUTE));
    await insertCommand(ago(3 * 24 * 3_600_000), ['COMPLETED'], ago(90 * MINUTE));

    const res = await statistics();

    const expected = (times: number) =>
      STATES.map((s) => ({ state: `COMMAND_STATE_${s}`, count: times * COMBOS.filter((c) => deriveCommandState(countStates(c)) === s).length }));
    expect(res.lastHour).toEqual({ total: COMBOS.length, byState: expected(1) });
    expect(res.lastDay).toEqual({ total: 3 * COMBOS.length, byState: expected(3) });

    const first = Date.parse(res.executionsPerMinute[0]!.minute);
    const perMinute = new Map<number, number>();
    for (const t of finished.filter((t) => t >= first)) perMinute.set(startOfMinute(t), (perMinute.get(startOfMinute(t)) ?? 0) + 1);
    const nonZero = res.executionsPerMinute.filter((b) => b.count > 0).map((b) => [Date.parse(b.minute), b.count]);
    expect(nonZero).toEqual([...perMinute.entries()].sort(([a], [b]) => a - b));
    // 5 minutes ago: the hour's terminal executions; a minute ago: 2; 30 minutes ago: 1.
    expect(nonZero.map(([, n]) => n)).toEqual([1, COMBOS.flat().filter((s) => TERMINAL.has(s)).length, 2]);
  });

  // Last: PostgreSQL does not come back.
  it('answers UNAVAILABLE while PostgreSQL is down', async () => {
    await infra.postgres.stop();
    await expect(statistics()).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });
});
