import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventSchemas, subjects, type EventPayload } from '@fleetplane/contracts';
import { runSql } from '@fleetplane/test-harness';
import { callGateway, startGatewayStack, type GatewayStack, type Reply } from '../test/gateway-stack.js';
import type { AuditPage } from './audit.schemas.js';
import type { AuditView } from './audit.service.js';

// Each execution's final state as one audit row, from command's execution.updated events on a
// real NATS, batched into the real PostgreSQL, read back with GET /audit?commandId= from the
// built gateway; and nothing lost while PostgreSQL refuses the rows.

const ADMIN = { email: 'exec-audit-admin@example.com', password: 'admin-password-1234' };

let stack: GatewayStack;
let nc: NatsConnection;
let admin: string;

type ExecutionUpdated = EventPayload<'execution.updated'>;

function publish(e: ExecutionUpdated): void {
  nc.publish(subjects.event('execution.updated'), JSON.stringify(eventSchemas['execution.updated'].parse(e)));
}

const updated = (commandId: string, n: number, state: ExecutionUpdated['state'], exitCode?: number): ExecutionUpdated => ({
  commandId,
  executionId: `${commandId.slice(0, 8)}-exec-${n}`,
  agentId: `agent-${n}`,
  state,
  ...(exitCode !== undefined ? { exitCode } : {}),
  at: new Date(Date.UTC(2026, 11, 1, 12, 0, n)).toISOString(),
});

async function entriesOf(commandId: string): Promise<AuditView[]> {
  const res: Reply<AuditPage> = await callGateway<AuditPage>(stack.base, 'GET', `/api/v1/audit?commandId=${commandId}&pageSize=500`, { token: admin });
  expect(res.status, res.text).toBe(200);
  return res.body.entries;
}

/** Polls until `n` entries are listed for the command (or the deadline), then returns them. */
async function waitForEntries(commandId: string, n: number, timeoutMs = 15_000): Promise<AuditView[]> {
  let entries: AuditView[] = [];
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    entries = await entriesOf(commandId);
    if (entries.length >= n) break;
  }
  return entries;
}

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(stack.metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}${labels ? ',' : ''}service="gateway"} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

beforeAll(async () => {
  stack = await startGatewayStack({ admin: ADMIN, env: { AUDIT_RETRY_INTERVAL_MS: '200', AUDIT_BATCH_FLUSH_MS: '100', AUDIT_BATCH_MAX_ROWS: '4' } });
  nc = await connect({ servers: stack.natsUrl });
  const login = await callGateway<{ accessToken: string }>(stack.base, 'POST', '/api/v1/auth/login', { body: ADMIN });
  admin = login.body.accessToken;
});

afterAll(async () => {
  await nc?.close();
  await stack?.stop();
});

describe("executions' final states in the audit log", () => {
  it('writes one row per finished execution, none for a state it may leave, filed under its command', async () => {
    const commandId = randomUUID();
    const other = randomUUID();
    const finals = [
      updated(commandId, 1, 'COMPLETED', 0),
      updated(commandId, 2, 'FAILED', 3),
      updated(commandId, 3, 'CANCELLED'),
      updated(commandId, 4, 'TIMED_OUT'),
      updated(commandId, 5, 'SKIPPED'),
      updated(commandId, 6, 'EXPIRED'),
    ];
    publish(updated(commandId, 1, 'DISPATCHED'));
    publish(updated(commandId, 1, 'RUNNING'));
    publish(updated(commandId, 7, 'QUEUED'));
    for (const e of finals) publish(e);
    // Delivered twice (command re-emitting after a redelivered result): still one row.
    publish(finals[1]!);
    publish(updated(other, 1, 'COMPLETED', 0));

    const entries = await waitForEntries(commandId, finals.length);
    // Newest first; one row per execution.
    expect(entries.map((e) => e.target)).toEqual(finals.map((e) => e.executionId).reverse());
    expect(entries[4]).toMatchObject({
      action: 'execution.finished',
      outcome: 'failed',
      actor: null,
      commandId,
      target: finals[1]!.executionId,
      at: finals[1]!.at,
      details: { agentId: 'agent-2', state: 'FAILED', exitCode: 3 },
    });
    expect(entries.filter((e) => e.outcome === 'success').map((e) => (e.details as { state: string }).state)).toEqual(['COMPLETED']);
    expect((await waitForEntries(other, 1)).map((e) => e.target)).toEqual([`${other.slice(0, 8)}-exec-1`]);
    // The other filters still combine with it.
    const failedOnly = await callGateway<AuditPage>(stack.base, 'GET', `/api/v1/audit?commandId=${commandId}&outcome=failed`, { token: admin });
    expect(failedOnly.body.entries).toHaveLength(5);
    // Every row handed to a batch INSERT: six, the duplicate (skipped by the database) and the other command's.
    expect(await metric('fleetplane_gateway_audit_batched_rows_total', 'result="written"')).toBe(8);
  });

  it('keeps the rows while PostgreSQL refuses them and writes each once it takes them again', async () => {
    await runSql(
      stack.databaseUrl,
      `create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit log unavailable'; end $$;
       create trigger refuse_audit before insert on audit_log for each row execute function refuse_audit();`,
    );
    const commandId = randomUUID();
    const finals = [1, 2, 3, 4, 5].map((n) => updated(commandId, n, n % 2 ? 'COMPLETED' : 'FAILED', n % 2 ? 0 : 1));
    for (const e of finals) publish(e);
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      if ((await metric('fleetplane_gateway_audit_batched_rows_total', 'result="spooled"')) >= finals.length) break;
    }
    expect(await metric('fleetplane_gateway_audit_batched_rows_total', 'result="spooled"')).toBe(finals.length);
    expect(await entriesOf(commandId)).toEqual([]);

    await runSql(stack.databaseUrl, 'drop trigger refuse_audit on audit_log; drop function refuse_audit();');
    const entries = await waitForEntries(commandId, finals.length);
    expect(entries.map((e) => e.target).sort()).toEqual(finals.map((e) => e.executionId).sort());
    expect(entries.every((e) => e.commandId === commandId && e.action === 'execution.finished')).toBe(true);
  });

  it('refuses a commandId that is not a command id, naming the field', async () => {
    const res = await callGateway<{ field: string }>(stack.base, 'GET', '/api/v1/audit?commandId=nope', { token: admin });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('commandId');
  });
});
