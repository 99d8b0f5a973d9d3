import { readFileSync, existsSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { runSql } from '@fleetplane/test-harness';
import { streams } from '@fleetplane/contracts';
import type { Fleet } from '../fleet.js';

// What the multi-instance run reads straight from the services' stores: the ground truth the
// REST API summarises.

/** Executions of the given commands by state. */
export async function executionStates(fleet: Fleet, commandIds: string[]): Promise<Record<string, number>> {
  const r = await runSql(
    fleet.databaseUrls.command,
    'SELECT state::text AS state, count(*)::int AS n FROM executions WHERE command_id = ANY($1::uuid[]) GROUP BY 1',
    [commandIds],
  );
  return Object.fromEntries(r.rows.map((row: { state: string; n: number }) => [row.state, row.n]));
}

/** Every execution for agents whose id starts with `prefix`, by state (also those of submits whose answer was lost). */
export async function executionStatesOfAgents(fleet: Fleet, prefix: string): Promise<Record<string, number>> {
  const r = await runSql(
    fleet.databaseUrls.command,
    'SELECT state::text AS state, count(*)::int AS n FROM executions WHERE starts_with(agent_id, $1) GROUP BY 1',
    [prefix],
  );
  return Object.fromEntries(r.rows.map((row: { state: string; n: number }) => [row.state, row.n]));
}

/** Raw telemetry samples stored for agents whose id starts with `prefix`, taken in (from, to] (ms epoch). */
export async function storedSamples(fleet: Fleet, prefix: string, from: number, to: number): Promise<number> {
  const r = await runSql(
    fleet.databaseUrls.telemetry,
    'SELECT count(*)::int AS n FROM telemetry_samples_raw WHERE starts_with(agent_id, $1) AND taken_at > to_timestamp($2 / 1000.0) AND taken_at <= to_timestamp($3 / 1000.0)',
    [prefix, from, to],
  );
  return (r.rows[0] as { n: number }).n;
}

/**
 * What JetStream still holds for telemetry's durable consumer: samples not yet delivered, and
 * delivered but not acked (a batch being written — or one a killed instance held, which comes
 * back only after INGEST_ACK_WAIT_MS). Both zero: every sample in the stream is stored.
 */
export async function telemetryBacklog(natsUrl: string): Promise<{ pending: number; ackPending: number }> {
  const nc = await connect({ servers: natsUrl.split(','), name: 'multi-instance-checks' });
  try {
    const info = await (await jetstreamManager(nc)).consumers.info(streams.telemetry.name, 'telemetry');
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  } finally {
    await nc.close();
  }
}

/** Connected agents (whose id starts with `prefix`) per hub instance id. */
export async function agentsByHub(fleet: Fleet, prefix: string): Promise<Record<string, string[]>> {
  const r = await runSql(
    fleet.databaseUrls['agent-hub'],
    'SELECT hub_instance_id AS hub, array_agg(id ORDER BY id) AS ids FROM agents WHERE session_id IS NOT NULL AND starts_with(id, $1) GROUP BY 1',
    [prefix],
  );
  return Object.fromEntries(r.rows.map((row: { hub: string; ids: string[] }) => [row.hub, row.ids]));
}

/** The hub instances registered (alive or not yet forgotten). */
export async function hubInstances(fleet: Fleet): Promise<string[]> {
  const r = await runSql(fleet.databaseUrls['agent-hub'], 'SELECT id FROM hub_instances ORDER BY id');
  return r.rows.map((row: { id: string }) => row.id);
}

/** How many times each marker (the load's submit number) was written by a reference agent. */
export function markerCounts(markerFile: string): Map<number, number> {
  const counts = new Map<number, number>();
  if (!existsSync(markerFile)) return counts;
  for (const line of readFileSync(markerFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const seq = Number(line.trim());
    counts.set(seq, (counts.get(seq) ?? 0) + 1);
  }
  return counts;
}

export interface QueueCounts {
  queue: string;
  active: number;
  waiting: number;
  prioritized: number;
  failed: number;
  delayed: number;
}

/**
 * The job counts of every BullMQ queue found in the given Redis URLs (each service has its own
 * database): queues are found by their `<prefix>:<name>:meta` key, so a queue added later is
 * checked too.
 */
export async function queueCounts(redisUrls: string[]): Promise<QueueCounts[]> {
  const out: QueueCounts[] = [];
  for (const url of redisUrls) {
    const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
    await redis.connect();
    try {
      const metas: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', '*:meta', 'COUNT', 1000);
        cursor = next;
        metas.push(...keys);
      } while (cursor !== '0');
      for (const meta of metas) {
        const parts = meta.split(':');
        const name = parts.at(-2)!;
        const prefix = parts.slice(0, -2).join(':');
        const queue = new Queue(name, { connection: redis, prefix });
        const c = await queue.getJobCounts('active', 'waiting', 'prioritized', 'failed', 'delayed');
        out.push({
          queue: `${prefix}:${name}`,
          active: c.active ?? 0,
          waiting: c.waiting ?? 0,
          prioritized: c.prioritized ?? 0,
          failed: c.failed ?? 0,
          delayed: c.delayed ?? 0,
        });
        await queue.close();
      }
    } finally {
      redis.disconnect();
    }
  }
  return out;
}
