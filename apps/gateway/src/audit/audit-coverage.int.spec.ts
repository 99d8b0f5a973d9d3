import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../openapi/document.js';
import { KNOWN_BACKUP, KNOWN_BACKUP_JOB, KNOWN_BACKUP_POLICY } from '../test/fake-backup.js';
import { callGateway, startGatewayStack, type CallOptions, type GatewayStack, type Reply } from '../test/gateway-stack.js';
import type { AuditPage } from './audit.schemas.js';

// Every mutation is audited: for each mutating operation of the running gateway's own OpenAPI
// document, one valid request with a trace id of its own, then the audit log must hold a row
// with that trace id. A new mutating route without an entry in MUTATIONS fails this test, so
// it cannot be added without saying how it is audited.

const ADMIN = { email: 'coverage-admin@example.com', password: 'coverage-admin-password-1234' };

let stack: GatewayStack;
let admin: string;

const call = <T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> => callGateway<T>(stack.base, method, path, opts);

async function login(email: string, password: string): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await call<{ accessToken: string; refreshToken: string }>('POST', '/api/v1/auth/login', { body: { email, password } });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

const USER_PASSWORD = 'coverage-user-password-1234';
let users = 0;
/** A fresh viewer for the user-lifecycle mutations (never the admin whose token this test uses). */
async function newUser(): Promise<{ id: string; email: string }> {
  const email = `user-${++users}@coverage.test`;
  const res = await call<{ id: string; email: string }>('POST', '/api/v1/users', { token: admin, body: { email, password: USER_PASSWORD, role: 'viewer' } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/** The request that exercises a mutation: its path (parameters filled in) and call options; prerequisites are made here, untraced. */
type Request = { path: string; opts: CallOptions; action: string };
type Mutation = () => Request | Promise<Request>;

/** By operationId. */
const MUTATIONS: Record<string, Mutation> = {
  login: () => ({ path: '/api/v1/auth/login', opts: { body: ADMIN }, action: 'auth.login' }),
  refresh: async () => ({
    path: '/api/v1/auth/refresh',
    opts: { body: { refreshToken: (await login(ADMIN.email, ADMIN.password)).refreshToken } },
    action: 'auth.refresh',
  }),
  logout: async () => ({
    path: '/api/v1/auth/logout',
    opts: { body: { refreshToken: (await login(ADMIN.email, ADMIN.password)).refreshToken } },
    action: 'auth.logout',
  }),
  createUser: () => ({
    path: '/api/v1/users',
    opts: { token: admin, body: { email: 'created@coverage.test', password: 'created-password-1234', role: 'viewer' } },
    action: 'user.create',
  }),
  updateUser: async () => ({ path: `/api/v1/users/${(await newUser()).id}`, opts: { token: admin, body: { role: 'operator' } }, action: 'user.update' }),
  deleteUser: async () => ({ path: `/api/v1/users/${(await newUser()).id}`, opts: { token: admin }, action: 'user.delete' }),
  changePassword: async () => {
    const user = await newUser();
    const { accessToken } = await login(user.email, USER_PASSWORD);
    return {
      path: '/api/v1/users/me/password',
      opts: { token: accessToken, body: { currentPassword: USER_PASSWORD, newPassword: 'another-password-1234' } },
      action: 'user.password_change',
    };
  },
  endUserSessions: async () => ({ path: `/api/v1/users/${(await newUser()).id}/sessions`, opts: { token: admin }, action: 'user.sessions_revoke' }),
  createApiKey: () => ({ path: '/api/v1/api-keys', opts: { token: admin, body: { name: 'coverage', role: 'viewer' } }, action: 'api_key.create' }),
  revokeApiKey: async () => {
    const key = await call<{ apiKey: { id: string } }>('POST', '/api/v1/api-keys', { token: admin, body: { name: 'to-revoke', role: 'viewer' } });
    return { path: `/api/v1/api-keys/${key.body.apiKey.id}`, opts: { token: admin }, action: 'api_key.revoke' };
  },
  enrollAgent: () => ({ path: '/api/v1/agents', opts: { token: admin, body: { id: 'coverage-agent' } }, action: 'agent.enroll' }),
  revokeAgent: () => ({ path: '/api/v1/agents/agent-1/revoke', opts: { token: admin }, action: 'agent.revoke' }),
  deleteAgent: () => ({ path: '/api/v1/agents/agent-1', opts: { token: admin }, action: 'agent.delete' }),
  createEnrollmentToken: () => ({ path: '/api/v1/enrollment-tokens', opts: { token: admin, body: { site: 'lab' } }, action: 'enrollment_token.create' }),
  revokeEnrollmentToken: async () => {
    const created = await call<{ enrollmentToken: { id: string } }>('POST', '/api/v1/enrollment-tokens', { token: admin, body: {} });
    return { path: `/api/v1/enrollment-tokens/${created.body.enrollmentToken.id}`, opts: { token: admin }, action: 'enrollment_token.revoke' };
  },
  submitCommand: () => ({
    path: '/api/v1/commands',
    opts: { token: admin, body: { verb: 'exec', params: { argv: ['true'] }, targets: ['agent-1'] } },
    action: 'command.submit',
  }),
  submitTileJob: () => ({
    path: '/api/v1/tiles/jobs',
    opts: { token: admin, body: { program: { version: 1, tiles: [] } } },
    action: 'tile.submit',
  }),
  cancelTileJob: () => ({ path: `/api/v1/tiles/jobs/${randomUUID()}/cancel`, opts: { token: admin }, action: 'tile.cancel' }),
  explainTiles: () => ({ path: '/api/v1/tiles/explain', opts: { token: admin, body: { program: { version: 1, tiles: [] } } }, action: 'tile.explain' }),
  cancelCommand: () => ({ path: '/api/v1/commands/cmd-done/cancel', opts: { token: admin }, action: 'command.cancel' }),
  cancelExecution: () => ({ path: '/api/v1/commands/cmd-done/executions/ex-1/cancel', opts: { token: admin }, action: 'execution.cancel' }),
  retryCommand: () => ({ path: '/api/v1/commands/cmd-done/retry', opts: { token: admin, body: {} }, action: 'command.retry' }),
  // Alerts: the canned telemetry peer answers any alert or rule id.
  acknowledgeAlert: () => ({ path: `/api/v1/alerts/${randomUUID()}/ack`, opts: { token: admin }, action: 'alert.acknowledge' }),
  resolveAlert: () => ({ path: `/api/v1/alerts/${randomUUID()}/resolve`, opts: { token: admin }, action: 'alert.resolve' }),
  createAlertRule: () => ({
    path: '/api/v1/alert-rules',
    opts: { token: admin, body: { name: 'coverage', metric: 'cpu_percent', comparison: '>', warning: 80 } },
    action: 'alert_rule.create',
  }),
  updateAlertRule: () => ({ path: `/api/v1/alert-rules/${randomUUID()}`, opts: { token: admin, body: { enabled: false } }, action: 'alert_rule.update' }),
  deleteAlertRule: () => ({ path: `/api/v1/alert-rules/${randomUUID()}`, opts: { token: admin }, action: 'alert_rule.delete' }),
  createBackup: () => ({ path: '/api/v1/backups', opts: { token: admin, body: { type: 'FULL' } }, action: 'backup.create' }),
  cancelBackupJob: () => ({ path: `/api/v1/backup-jobs/${KNOWN_BACKUP_JOB}/cancel`, opts: { token: admin }, action: 'backup_job.cancel' }),
  verifyBackup: () => ({ path: `/api/v1/backups/${KNOWN_BACKUP}/verify`, opts: { token: admin, body: { readData: true } }, action: 'backup.verify' }),
  restoreBackup: () => ({
    path: `/api/v1/backups/${KNOWN_BACKUP}/restore`,
    opts: { token: admin, body: { targets: [{ source: 'gateway', database: 'gateway_restored' }] } },
    action: 'backup.restore',
  }),
  pruneBackups: () => ({ path: '/api/v1/backups/prune', opts: { token: admin, body: { keepLast: 3 } }, action: 'backup.prune' }),
  createBackupPolicy: () => ({
    path: '/api/v1/backup-policies',
    opts: { token: admin, body: { name: 'nightly', cron: '0 3 * * *', type: 'FULL' } },
    action: 'backup_policy.create',
  }),
  updateBackupPolicy: () => ({
    path: `/api/v1/backup-policies/${KNOWN_BACKUP_POLICY}`,
    opts: { token: admin, body: { enabled: false } },
    action: 'backup_policy.update',
  }),
  deleteBackupPolicy: () => ({ path: `/api/v1/backup-policies/${KNOWN_BACKUP_POLICY}`, opts: { token: admin }, action: 'backup_policy.delete' }),
};

interface MutatingOperation {
  method: string;
  path: string;
  operationId: string;
}

let mutating: MutatingOperation[];

beforeAll(async () => {
  stack = await startGatewayStack({ admin: ADMIN, env: { LOGIN_RATE_LIMIT: '1000' } });
  admin = (await login(ADMIN.email, ADMIN.password)).accessToken;
  const doc = (await call<OpenApiDocument>('GET', '/api/openapi.json')).body;
  mutating = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, { operationId: string }>)
      .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => ({ method, path, operationId: op.operationId })),
  );
});

afterAll(async () => {
  await stack?.stop();
});

describe('every mutating operation of the OpenAPI document is audited', () => {
  it('has a request for each of them here', () => {
    expect(mutating.length).toBeGreaterThanOrEqual(Object.keys(MUTATIONS).length);
    expect(mutating.filter((op) => !MUTATIONS[op.operationId]).map((op) => `${op.method} ${op.path} (${op.operationId})`)).toEqual([]);
  });

  it('writes an audit row with the trace id of the request for each', async () => {
    const missing: string[] = [];
    for (const op of mutating) {
      const mutation = MUTATIONS[op.operationId];
      if (!mutation) continue;
      const { path, opts, action } = await mutation();
      const traceId = randomBytes(16).toString('hex');
      const res = await call(op.method.toUpperCase(), path, { ...opts, headers: { ...opts.headers, traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
      expect(res.status, `${op.operationId}: ${res.text}`).toBeLessThan(300);
      const rows = await call<AuditPage>('GET', `/api/v1/audit?traceId=${traceId}`, { token: admin });
      expect(rows.status, rows.text).toBe(200);
      if (!rows.body.entries.some((e) => e.action === action))
        missing.push(`${op.operationId}: no ${action} row (got ${rows.body.entries.map((e) => e.action).join(', ') || 'none'})`);
    }
    expect(missing).toEqual([]);
  });
});
