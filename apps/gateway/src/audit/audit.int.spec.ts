import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSql } from '@fleetplane/test-harness';
import { callGateway, startGatewayStack, type CallOptions, type GatewayStack, type Reply } from '../test/gateway-stack.js';
import { parseCsv } from '../test/parse-csv.js';
import { AUDIT_CSV_COLUMNS } from './audit-export.js';
import type { AuditPage } from './audit.schemas.js';
import type { AuditView } from './audit.service.js';

// The audit log's filters, paging and export against the built gateway as its own process,
// on real PostgreSQL (with the migrations, so the filters' indexes), Redis and NATS.

const ADMIN = { email: 'audit-admin@example.com', password: 'admin-password-1234' };
const TRACE_ID = '4bf92f3577b34da6a3ce929da0e4736a';

let stack: GatewayStack;
let base: string;
let admin: string;
let adminId: string;
const users: Record<'viewer' | 'operator', { id: string; token: string }> = {} as never;
/** An instant between the first batch of audited actions and the second. */
let midpoint: string;
let everything: AuditView[];

const call = <T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> => callGateway<T>(base, method, path, opts);

const login = async (email: string, password: string) => call<{ accessToken: string }>('POST', '/api/v1/auth/login', { body: { email, password } });

/** Every entry matching `query`, following nextPageToken with `pageSize`. */
async function listAll(query: Record<string, string>, size = 500): Promise<AuditView[]> {
  const out: AuditView[] = [];
  let token: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const qs = new URLSearchParams({ ...query, pageSize: String(size), ...(token ? { pageToken: token } : {}) });
    const res: Reply<AuditPage> = await call<AuditPage>('GET', `/api/v1/audit?${qs.toString()}`, { token: admin });
    expect(res.status, res.text).toBe(200);
    out.push(...res.body.entries);
    token = res.body.nextPageToken;
    if (!token) return out;
  }
  throw new Error('too many pages');
}

beforeAll(async () => {
  stack = await startGatewayStack({ admin: ADMIN, env: { LOGIN_RATE_LIMIT: '100', AUDIT_RETRY_INTERVAL_MS: '200' } });
  base = stack.base;

  // A log with several actors, actions, targets and outcomes, in two batches around `midpoint`.
  admin = (await login(ADMIN.email, ADMIN.password)).body.accessToken;
  expect((await login(ADMIN.email, 'wrong-password-1234')).status).toBe(401);
  for (const role of ['viewer', 'operator'] as const) {
    const email = `${role}@example.com`;
    const created = await call<{ id: string }>('POST', '/api/v1/users', { token: admin, body: { email, password: `${role}-password-1234`, role } });
    expect(created.status).toBe(201);
    users[role] = { id: created.body.id, token: (await login(email, `${role}-password-1234`)).body.accessToken };
  }
  await new Promise((r) => setTimeout(r, 20));
  midpoint = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  // Denied (a viewer submits), failed (a missing key, with a known trace id), and successes.
  expect(
    (await call('POST', '/api/v1/commands', { token: users.viewer.token, body: { verb: 'exec', params: { argv: ['id'] }, targets: ['agent-1'] } })).status,
  ).toBe(403);
  const traceparent = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
  expect((await call('DELETE', '/api/v1/api-keys/00000000-0000-4000-8000-000000000000', { token: admin, headers: { traceparent } })).status).toBe(404);
  for (const name of ['a,b', 'say "hi"', 'line\nbreak']) {
    expect((await call('POST', '/api/v1/api-keys', { token: admin, body: { name, role: 'viewer' } })).status).toBe(201);
  }
  for (let i = 0; i < 3; i++) {
    expect(
      (await call('POST', '/api/v1/commands', { token: users.operator.token, body: { verb: 'exec', params: { argv: ['true'] }, targets: ['agent-1'] } }))
        .status,
    ).toBe(202);
  }
  everything = await listAll({});
  adminId = everything.find((e) => e.action === 'user.bootstrap_admin')!.target!;
});

afterAll(async () => {
  await stack?.stop();
});

describe('GET /audit filters', () => {
  it('has a varied log to filter', () => {
    expect(everything.length).toBeGreaterThanOrEqual(15);
  });

  it.each([
    ['actor', (): string => users.operator.id, (e: AuditView, v: string) => e.actor === v],
    ['action', (): string => 'api_key.create', (e: AuditView, v: string) => e.action === v],
    ['resourceType', (): string => 'auth', (e: AuditView, v: string) => e.action.startsWith(`${v}.`)],
    ['target', (): string => users.viewer.id, (e: AuditView, v: string) => e.target === v],
    ['outcome', (): string => 'denied', (e: AuditView, v: string) => e.outcome === v],
    ['traceId', (): string => TRACE_ID, (e: AuditView, v: string) => e.traceId === v],
  ])('filters by %s', async (name, value, matches) => {
    const v = value();
    const expected = everything.filter((e) => matches(e, v));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(everything.length);
    expect(await listAll({ [name]: v })).toEqual(expected);
  });

  it('filters by time range, from inclusive and to exclusive', async () => {
    const after = everything.filter((e) => e.at >= midpoint);
    const before = everything.filter((e) => e.at < midpoint);
    expect(after.length).toBeGreaterThan(0);
    expect(before.length).toBeGreaterThan(0);
    expect(await listAll({ from: midpoint })).toEqual(after);
    expect(await listAll({ to: midpoint })).toEqual(before);
    const one = everything[3]!;
    expect(await listAll({ from: one.at, to: new Date(Date.parse(one.at) + 1).toISOString() })).toEqual(everything.filter((e) => e.at === one.at));
    // Offsets other than Z mean the same instant.
    const plusTwo = new Date(Date.parse(midpoint) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect(await listAll({ from: plusTwo })).toEqual(after);
  });

  it('combines filters', async () => {
    const expected = everything.filter((e) => e.actor === adminId && e.outcome === 'success' && e.at >= midpoint);
    expect(expected.length).toBe(3);
    expect(await listAll({ actor: adminId, outcome: 'success', from: midpoint })).toEqual(expected);
    expect(await listAll({ action: 'api_key.create', resourceType: 'command' })).toEqual([]);
  });

  it('pages across filtered pages without gaps or repeats', async () => {
    const expected = everything.filter((e) => e.actor === adminId);
    expect(expected.length).toBeGreaterThan(4);
    expect(await listAll({ actor: adminId }, 2)).toEqual(expected);
    expect(await listAll({ outcome: 'success', from: midpoint }, 1)).toEqual(everything.filter((e) => e.outcome === 'success' && e.at >= midpoint));
  });

  it('refuses a page token reused with other filters (400 naming pageToken)', async () => {
    const first = await call<AuditPage>('GET', `/api/v1/audit?actor=${adminId}&pageSize=1`, { token: admin });
    const token = first.body.nextPageToken!;
    expect(token).toBeTruthy();
    expect((await call('GET', `/api/v1/audit?actor=${adminId}&pageSize=1&pageToken=${token}`, { token: admin })).status).toBe(200);
    for (const other of [`actor=${users.operator.id}`, '', `actor=${adminId}&outcome=success`, `actor=${adminId}&from=${midpoint}`]) {
      const res = await call('GET', `/api/v1/audit?${other}&pageSize=1&pageToken=${token}`, { token: admin });
      expect(res.status, other).toBe(400);
      expect(res.body).toMatchObject({ field: 'pageToken', message: 'pageToken: was issued for different filters' });
    }
  });

  it.each([
    ['outcome=maybe', 'outcome'],
    ['from=yesterday', 'from'],
    ['to=2026-12-01', 'to'],
    ['from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'to'],
    ['traceId=xyz', 'traceId'],
    ['action=DROP TABLE', 'action'],
    ['resourceType=a.b', 'resourceType'],
    [`actor=${'x'.repeat(201)}`, 'actor'],
    ['pageSize=0', 'pageSize'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const res = await call<{ field: string }>('GET', `/api/v1/audit?${query}`, { token: admin });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
    const exp = await call<{ field: string }>('GET', `/api/v1/audit/export?format=csv&${query.startsWith('pageSize') ? 'format=xml' : query}`, {
      token: admin,
    });
    expect(exp.status).toBe(400);
  });

  it('is for admins only: a viewer or operator gets 403 for the list and the export', async () => {
    for (const { token } of Object.values(users)) {
      expect((await call('GET', '/api/v1/audit?outcome=denied', { token })).status).toBe(403);
      expect((await call('GET', '/api/v1/audit/export?format=ndjson', { token })).status).toBe(403);
      expect((await call('GET', '/api/v1/audit/export?format=csv', { token })).status).toBe(403);
    }
    expect((await call('GET', '/api/v1/audit/export?format=csv')).status).toBe(401);
  });
});

describe('GET /audit/export', () => {
  it('streams NDJSON equal to the listed entries, as an attachment', async () => {
    const res = await call('GET', '/api/v1/audit/export?format=ndjson', { token: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="audit.ndjson"');
    // Streamed: chunked, its length unknown when the headers went out.
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(res.text.endsWith('\n')).toBe(true);
    const rows = res.text
      .slice(0, -1)
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    // Every row listed before the export began, in the same order; the export's own reads are not audited.
    expect(rows.slice(rows.length - everything.length)).toEqual(everything);
  });

  it('streams CSV (RFC 4180) equal to the listed entries of the same filter', async () => {
    const res = await call('GET', `/api/v1/audit/export?format=csv&actor=${adminId}`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="audit.csv"');
    const [header, ...records] = parseCsv(res.text);
    expect(header).toEqual([...AUDIT_CSV_COLUMNS]);
    const fromCsv = records.map((r) => {
      const o = Object.fromEntries(AUDIT_CSV_COLUMNS.map((c, i) => [c, r[i] === '' ? null : r[i]!]));
      return { ...o, details: JSON.parse(o.details!) as unknown };
    });
    const expected = await listAll({ actor: adminId });
    expect(fromCsv).toEqual(expected);
    // The names with a comma, a quote and a newline came back intact.
    const names = expected.filter((e) => e.action === 'api_key.create').map((e) => (e.details as { name: string }).name);
    expect(names.sort()).toEqual(['a,b', 'line\nbreak', 'say "hi"']);
  });

  it('exports a filter that matches nothing as the header alone (CSV) or nothing (NDJSON)', async () => {
    const csv = await call('GET', '/api/v1/audit/export?format=csv&outcome=failed&resourceType=command', { token: admin });
    expect(csv.text).toBe(`${AUDIT_CSV_COLUMNS.join(',')}\r\n`);
    const nd = await call('GET', '/api/v1/audit/export?format=ndjson&actor=nobody', { token: admin });
    expect(nd.status).toBe(200);
    expect(nd.text).toBe('');
  });

  it('needs a format', async () => {
    const res = await call<{ field: string }>('GET', '/api/v1/audit/export', { token: admin });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('format');
  });
});

// Last in the file: it adds rows the tests above do not expect.
describe('an audit write the database refuses', () => {
  /** The value of a series on the gateway's /metrics with no labels but the default `service` (0 when absent). */
  async function metric(name: string): Promise<number> {
    const text = await (await fetch(stack.metricsUrl)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{service="gateway"} `) || l.startsWith(`${name} `));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  it('does not fail the request, waits in the local spool, and is written with its time and trace once the database takes it', async () => {
    // A trigger makes PostgreSQL refuse audit rows while every other table (API keys, users) works.
    await runSql(
      stack.databaseUrl,
      `create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit log unavailable'; end $$;
       create trigger refuse_audit before insert on audit_log for each row execute function refuse_audit();`,
    );
    const failedBefore = await metric('fleetplane_gateway_audit_write_failures_total');
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const created = await call<{ apiKey: { id: string } }>('POST', '/api/v1/api-keys', {
      token: admin,
      body: { name: 'made-while-audit-down', role: 'viewer' },
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(created.status, created.text).toBe(201);
    const keyId = created.body.apiKey.id;
    expect(await metric('fleetplane_gateway_audit_write_failures_total')).toBe(failedBefore + 1);
    expect(await metric('fleetplane_gateway_audit_spool_rows')).toBe(1);
    expect(await readdir(stack.auditSpoolDir)).not.toEqual([]);

    // Replays keep failing while the trigger is there: nothing is written, nothing is dropped.
    await new Promise((r) => setTimeout(r, 600));
    expect(await listAll({ target: keyId })).toEqual([]);
    const restoredAt = new Date();
    await runSql(stack.databaseUrl, 'drop trigger refuse_audit on audit_log; drop function refuse_audit();');

    let entries: AuditView[] = [];
    for (const deadline = Date.now() + 15_000; entries.length === 0 && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 100));
      entries = await listAll({ target: keyId });
    }
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'api_key.create', outcome: 'success', actor: adminId, traceId });
    expect(new Date(entries[0]!.at).getTime()).toBeLessThan(restoredAt.getTime());
    expect(await metric('fleetplane_gateway_audit_rows_replayed_total')).toBe(1);
    expect(await metric('fleetplane_gateway_audit_spool_rows')).toBe(0);
    expect(await readdir(stack.auditSpoolDir)).toEqual([]);
  });
});
