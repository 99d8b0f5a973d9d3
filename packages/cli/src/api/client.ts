import type { z } from 'zod';
import { CliError } from '../errors.js';
import { ApiError } from './api-error.js';
import type {
  AgentFilter,
  AuditFilter,
  ChangePassword,
  ExecutionFilter,
  CreateApiKey,
  CreateEnrollmentToken,
  CreateUser,
  EnrollAgent,
  SubmitCommand,
  UpdateUser,
} from './requests.js';
import {
  agentPageSchema,
  agentSchema,
  agentSummarySchema,
  apiKeyListSchema,
  auditPageSchema,
  cancelCommandResultSchema,
  cancelExecutionResultSchema,
  commandPageSchema,
  commandSchema,
  createdApiKeySchema,
  enrolledAgentSchema,
  executionPageSchema,
  outputRangeSchema,
  statisticsSchema,
  tokenPairSchema,
  userListSchema,
  userSchema,
  type Agent,
  type AgentSummary,
  type ApiKey,
  type AuditEntry,
  type AuditExportFormat,
  type CancelCommandResult,
  type CancelExecutionResult,
  type Command,
  type CreatedApiKey,
  type EnrolledAgent,
  type Execution,
  type OutputRange,
  type OutputStream,
  type Statistics,
  type TokenPair,
  type User,
} from './schemas.js';

import type { Writer } from '../commands/results.js';
import {
  tileExplanationSchema,
  tileJobResultSchema,
  tileJobSchema,
  tileStatsSchema,
  type TileExplanation,
  type TileJob,
  type TileJobResult,
  type TileStats,
} from '../commands/tiles-schemas.js';
import {
  alertDetailSchema,
  alertPageSchema,
  alertRuleListSchema,
  alertRuleSchema,
  deletedAlertRuleSchema,
  type AlertDetail,
  type AlertRule,
} from '../commands/alert-schemas.js';
import {
  backupJobSchema,
  backupListSchema,
  backupPolicyListSchema,
  backupPolicySchema,
  backupSchema,
  restoreAnswerSchema,
  type Backup,
  type BackupJob,
  type BackupPolicy,
  type RestoreAnswer,
} from '../commands/backup-schemas.js';
import { telemetryHistorySchema, telemetrySummarySchema, type TelemetryHistory, type TelemetrySummary } from '../commands/telemetry-schemas.js';
import type { DocBody, DocQuery } from './document.js';
import { createdEnrollmentTokenSchema, enrollmentTokenPageSchema, type CreatedEnrollmentToken, type EnrollmentToken } from './enrollment-schemas.js';
import type { StreamAuth } from './live-changes.js';

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

/** How requests authenticate: a CI API key, a stored login (refreshed on 401), or nothing (login itself). */
export type Auth = { kind: 'apiKey'; key: string } | { kind: 'session'; tokens: TokenPair; onRotated: (tokens: TokenPair) => Promise<void> } | { kind: 'none' };

const REQUEST_TIMEOUT_MS = 30_000;

/** The gateway's REST API, /api/v1. */
export class ApiClient {
  private refreshing: Promise<void> | undefined;

  constructor(
    readonly baseUrl: string,
    private auth: Auth,
    private readonly fetchFn: FetchFn = fetch,
  ) {}

  /** What the live stream's auth frame carries for this client: the current access token (a REST call refreshes it first) or the API key. */
  streamAuth(): StreamAuth | undefined {
    if (this.auth.kind === 'apiKey') return { apiKey: this.auth.key };
    if (this.auth.kind === 'session') return { token: this.auth.tokens.accessToken };
    return undefined;
  }

  login(email: string, password: string): Promise<TokenPair> {
    return this.call('POST', '/auth/login', tokenPairSchema, { body: { email, password }, authenticated: false });
  }

  async logout(refreshToken: string): Promise<void> {
    await this.call('POST', '/auth/logout', undefined, { body: { refreshToken }, authenticated: false });
  }

  /** Every page, following nextPageToken. */
  async listAgents(filter: AgentFilter = {}): Promise<Agent[]> {
    const agents: Agent[] = [];
    let pageToken: string | null = null;
    do {
      const q = new URLSearchParams({ pageSize: '500' });
      // label and capability repeat: one parameter per value.
      for (const [name, value] of Object.entries(filter)) for (const v of [value as string | string[] | undefined].flat()) if (v) q.append(name, v);
      if (pageToken) q.set('pageToken', pageToken);
      const page: z.infer<typeof agentPageSchema> = await this.call('GET', `/agents?${q.toString()}`, agentPageSchema);
      agents.push(...page.agents);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return agents;
  }

  getAgent(id: string): Promise<Agent> {
    return this.call('GET', `/agents/${encodeURIComponent(id)}`, agentSchema);
  }

  enrollAgent(body: EnrollAgent): Promise<EnrolledAgent> {
    return this.call('POST', '/agents', enrolledAgentSchema, { body });
  }

  submitCommand(body: SubmitCommand): Promise<Command> {
    return this.call('POST', '/commands', commandSchema, { body });
  }

  getCommand(id: string): Promise<Command> {
    return this.call('GET', `/commands/${encodeURIComponent(id)}`, commandSchema);
  }

  async listCommands(filter: { agentId?: string; limit?: number } = {}): Promise<Command[]> {
    const q = new URLSearchParams({ pageSize: String(filter.limit ?? 50) });
    if (filter.agentId) q.set('agentId', filter.agentId);
    return (await this.call('GET', `/commands?${q.toString()}`, commandPageSchema)).commands;
  }

  /** One page of a command's executions (by agent id); pass `nextPageToken` back for the next. */
  listExecutions(id: string, filter: ExecutionFilter = {}, pageToken?: string | null): Promise<{ executions: Execution[]; nextPageToken: string | null }> {
    const q = new URLSearchParams({ pageSize: '500' });
    if (filter.state) q.set('state', filter.state);
    if (filter.exitCode !== undefined) q.set('exitCode', String(filter.exitCode));
    if (pageToken) q.set('pageToken', pageToken);
    return this.call('GET', `/commands/${encodeURIComponent(id)}/executions?${q.toString()}`, executionPageSchema);
  }

  /** Every execution of the command matching `filter`, page after page, as they arrive. */
  async *executions(id: string, filter: ExecutionFilter = {}): AsyncGenerator<Execution[]> {
    let pageToken: string | null = null;
    do {
      const page: { executions: Execution[]; nextPageToken: string | null } = await this.listExecutions(id, filter, pageToken);
      if (page.executions.length > 0) yield page.executions;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /** A byte range of an execution's output, from `offset`. */
  getOutput(id: string, executionId: string, stream: OutputStream, offset: number): Promise<OutputRange> {
    const q = new URLSearchParams({ stream, offset: String(offset) });
    return this.call('GET', `/commands/${encodeURIComponent(id)}/executions/${encodeURIComponent(executionId)}/output?${q.toString()}`, outputRangeSchema);
  }

  cancelCommand(id: string): Promise<CancelCommandResult> {
    return this.call('POST', `/commands/${encodeURIComponent(id)}/cancel`, cancelCommandResultSchema);
  }

  cancelExecution(id: string, executionId: string): Promise<CancelExecutionResult> {
    return this.call('POST', `/commands/${encodeURIComponent(id)}/executions/${encodeURIComponent(executionId)}/cancel`, cancelExecutionResultSchema);
  }

  retryCommand(id: string): Promise<Command> {
    return this.call('POST', `/commands/${encodeURIComponent(id)}/retry`, commandSchema, { body: {} });
  }

  /** Newest first: up to `limit` entries (every page when `all`), following nextPageToken with the same filters. */
  async listAudit(filter: AuditFilter, opts: { limit?: number; all?: boolean } = {}): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let pageToken: string | null = null;
    do {
      const q = auditQuery(filter);
      q.set('pageSize', opts.all ? '500' : String(opts.limit ?? 50));
      if (pageToken) q.set('pageToken', pageToken);
      const page: z.infer<typeof auditPageSchema> = await this.call('GET', `/audit?${q.toString()}`, auditPageSchema);
      entries.push(...page.entries);
      pageToken = opts.all ? page.nextPageToken : null;
    } while (pageToken);
    return entries;
  }

  async listUsers(): Promise<User[]> {
    return (await this.call('GET', '/users', userListSchema)).users;
  }

  createUser(body: CreateUser): Promise<User> {
    return this.call('POST', '/users', userSchema, { body });
  }

  updateUser(id: string, body: UpdateUser): Promise<User> {
    return this.call('PATCH', `/users/${encodeURIComponent(id)}`, userSchema, { body });
  }

  async deleteUser(id: string): Promise<void> {
    await this.call('DELETE', `/users/${encodeURIComponent(id)}`, undefined);
  }

  /** The signed-in user's own password; the gateway ends their other sessions. */
  async changeOwnPassword(body: ChangePassword): Promise<void> {
    await this.call('POST', '/users/me/password', undefined, { body });
  }

  /** Ends every refresh token, access token and open stream of the user. */
  async endUserSessions(id: string): Promise<void> {
    await this.call('DELETE', `/users/${encodeURIComponent(id)}/sessions`, undefined);
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return (await this.call('GET', '/api-keys', apiKeyListSchema)).apiKeys;
  }

  createApiKey(body: CreateApiKey): Promise<CreatedApiKey> {
    return this.call('POST', '/api-keys', createdApiKeySchema, { body });
  }

  async revokeApiKey(id: string): Promise<void> {
    await this.call('DELETE', `/api-keys/${encodeURIComponent(id)}`, undefined);
  }

  createEnrollmentToken(body: CreateEnrollmentToken): Promise<CreatedEnrollmentToken> {
    return this.call('POST', '/enrollment-tokens', createdEnrollmentTokenSchema, { body });
  }

  /** Every token, newest first, page after page. */
  async listEnrollmentTokens(): Promise<EnrollmentToken[]> {
    const tokens: EnrollmentToken[] = [];
    let pageToken: string | null = null;
    do {
      const q: URLSearchParams = new URLSearchParams({ pageSize: '500', ...(pageToken ? { pageToken } : {}) });
      const page: { enrollmentTokens: EnrollmentToken[]; nextPageToken: string | null } = await this.call(
        'GET',
        `/enrollment-tokens?${q.toString()}`,
        enrollmentTokenPageSchema,
      );
      tokens.push(...page.enrollmentTokens);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return tokens;
  }

  async revokeEnrollmentToken(id: string): Promise<void> {
    await this.call('DELETE', `/enrollment-tokens/${encodeURIComponent(id)}`, undefined);
  }

  async revokeAgent(id: string): Promise<void> {
    await this.call('POST', `/agents/${encodeURIComponent(id)}/revoke`, undefined);
  }

  async deleteAgent(id: string): Promise<void> {
    await this.call('DELETE', `/agents/${encodeURIComponent(id)}`, undefined);
  }

  getAgentSummary(): Promise<AgentSummary> {
    return this.call('GET', '/agents/summary', agentSummarySchema);
  }

  getStatistics(): Promise<Statistics> {
    return this.call('GET', '/statistics', statisticsSchema);
  }

  submitTileJob(body: DocBody<'submitTileJob'>): Promise<TileJob> {
    return this.call('POST', '/tiles/jobs', tileJobSchema, { body });
  }

  getTileJob(id: string, query: DocQuery<'getTileJob'> = {}): Promise<TileJobResult> {
    const q = new URLSearchParams();
    if (query.resultLimit) q.set('resultLimit', String(query.resultLimit));
    if (query.cursor) q.set('cursor', query.cursor);
    return this.call('GET', `/tiles/jobs/${encodeURIComponent(id)}${q.size ? `?${q.toString()}` : ''}`, tileJobResultSchema);
  }

  explainTiles(body: DocBody<'explainTiles'>): Promise<TileExplanation> {
    return this.call('POST', '/tiles/explain', tileExplanationSchema, { body });
  }

  getTileStats(): Promise<TileStats> {
    return this.call('GET', '/tiles/stats', tileStatsSchema);
  }

  createBackup(body: DocBody<'createBackup'>): Promise<BackupJob> {
    return this.call('POST', '/backups', backupJobSchema, { body });
  }

  async listBackups(): Promise<Backup[]> {
    return (await this.call('GET', '/backups', backupListSchema)).backups;
  }

  getBackup(id: string): Promise<Backup> {
    return this.call('GET', `/backups/${encodeURIComponent(id)}`, backupSchema);
  }

  getBackupJob(id: string): Promise<BackupJob> {
    return this.call('GET', `/backup-jobs/${encodeURIComponent(id)}`, backupJobSchema);
  }

  cancelBackupJob(id: string): Promise<BackupJob> {
    return this.call('POST', `/backup-jobs/${encodeURIComponent(id)}/cancel`, backupJobSchema);
  }

  verifyBackup(id: string, body: DocBody<'verifyBackup'>): Promise<BackupJob> {
    return this.call('POST', `/backups/${encodeURIComponent(id)}/verify`, backupJobSchema, { body });
  }

  restoreBackup(id: string, body: DocBody<'restoreBackup'>): Promise<RestoreAnswer> {
    return this.call('POST', `/backups/${encodeURIComponent(id)}/restore`, restoreAnswerSchema, { body });
  }

  pruneBackups(body: DocBody<'pruneBackups'>): Promise<BackupJob> {
    return this.call('POST', '/backups/prune', backupJobSchema, { body });
  }

  async listBackupPolicies(): Promise<BackupPolicy[]> {
    return (await this.call('GET', '/backup-policies', backupPolicyListSchema)).policies;
  }

  createBackupPolicy(body: DocBody<'createBackupPolicy'>): Promise<BackupPolicy> {
    return this.call('POST', '/backup-policies', backupPolicySchema, { body });
  }

  updateBackupPolicy(id: string, body: DocBody<'updateBackupPolicy'>): Promise<BackupPolicy> {
    return this.call('PATCH', `/backup-policies/${encodeURIComponent(id)}`, backupPolicySchema, { body });
  }

  async deleteBackupPolicy(id: string): Promise<void> {
    await this.call('DELETE', `/backup-policies/${encodeURIComponent(id)}`, undefined);
  }

  getTelemetryHistory(agentId: string, query: DocQuery<'getTelemetryHistory'> = {}): Promise<TelemetryHistory> {
    const q = new URLSearchParams(Object.entries(query).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]])));
    return this.call('GET', `/agents/${encodeURIComponent(agentId)}/telemetry${q.size ? `?${q.toString()}` : ''}`, telemetryHistorySchema);
  }

  getTelemetrySummary(query: DocQuery<'getTelemetrySummary'> = {}): Promise<TelemetrySummary> {
    const q = new URLSearchParams(Object.entries(query).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]])));
    return this.call('GET', `/telemetry/summary${q.size ? `?${q.toString()}` : ''}`, telemetrySummarySchema);
  }

  listAlerts(query: DocQuery<'listAlerts'> = {}): Promise<z.infer<typeof alertPageSchema>> {
    const q = new URLSearchParams(Object.entries(query).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]])));
    return this.call('GET', `/alerts${q.size ? `?${q.toString()}` : ''}`, alertPageSchema);
  }

  getAlert(id: string): Promise<AlertDetail> {
    return this.call('GET', `/alerts/${encodeURIComponent(id)}`, alertDetailSchema);
  }

  acknowledgeAlert(id: string): Promise<AlertDetail> {
    return this.call('POST', `/alerts/${encodeURIComponent(id)}/ack`, alertDetailSchema);
  }

  resolveAlert(id: string): Promise<AlertDetail> {
    return this.call('POST', `/alerts/${encodeURIComponent(id)}/resolve`, alertDetailSchema);
  }

  async listAlertRules(): Promise<AlertRule[]> {
    return (await this.call('GET', '/alert-rules', alertRuleListSchema)).rules;
  }

  createAlertRule(body: DocBody<'createAlertRule'>): Promise<AlertRule> {
    return this.call('POST', '/alert-rules', alertRuleSchema, { body });
  }

  updateAlertRule(id: string, body: DocBody<'updateAlertRule'>): Promise<AlertRule> {
    return this.call('PATCH', `/alert-rules/${encodeURIComponent(id)}`, alertRuleSchema, { body });
  }

  async deleteAlertRule(id: string): Promise<number> {
    return (await this.call('DELETE', `/alert-rules/${encodeURIComponent(id)}`, deletedAlertRuleSchema)).resolvedAlerts;
  }

  /**
   * GET /audit/export, written to `out` chunk by chunk as it arrives (waiting for 'drain' when
   * `out` is a stream that asks for it), so an export of any size passes through in bounded memory.
   */
  async exportAudit(filter: AuditFilter, format: AuditExportFormat, out: Writer): Promise<void> {
    const q = auditQuery(filter);
    q.set('format', format);
    const path = `/audit/export?${q.toString()}`;
    // No request timeout: a large export takes as long as it takes.
    const res = await this.open('GET', path, undefined, true, { timeout: false });
    if (!res.body) return;
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    for (;;) {
      // fetch's body is ReadableStream<any> in Node's types; its chunks are bytes.
      let chunk: { done: boolean; value?: Uint8Array };
      try {
        chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
      } catch (err) {
        throw new CliError(`GET ${path}: the download broke off: ${(err as Error).message}`);
      }
      if (chunk.done) break;
      const text = decoder.decode(chunk.value, { stream: true });
      if (text && out.write(text) === false && isStream(out)) await new Promise((resolve) => out.once('drain', resolve));
    }
    const rest = decoder.decode();
    if (rest) out.write(rest);
  }

  private async call<S extends z.ZodType | undefined>(
    method: string,
    path: string,
    schema: S,
    opts: { body?: unknown; authenticated?: boolean } = {},
  ): Promise<S extends z.ZodType ? z.infer<S> : undefined> {
    const res = await this.open(method, path, opts.body, opts.authenticated ?? true);
    if (!schema) {
      await res.body?.cancel();
      return undefined as never;
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CliError(`${method} ${path}: the gateway answered ${res.status} with a body that is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CliError(`${method} ${path}: unexpected response (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`);
    }
    return parsed.data as never;
  }

  /** A successful response (refreshing the session once on 401), or the ApiError of a failed one. */
  private async open(method: string, path: string, body: unknown, authenticated: boolean, opts: { timeout?: boolean } = {}): Promise<Response> {
    let res = await this.send(method, path, body, authenticated, opts.timeout);
    if (res.status === 401 && authenticated && this.auth.kind === 'session') {
      await res.body?.cancel();
      await this.refresh();
      res = await this.send(method, path, body, authenticated, opts.timeout);
    }
    if (!res.ok) throw await ApiError.from(res);
    return res;
  }

  /** One refresh even if several calls see a 401 at once; the rotated pair is saved before use. */
  private refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    if (this.auth.kind !== 'session') return;
    const session = this.auth;
    const res = await this.send('POST', '/auth/refresh', { refreshToken: session.tokens.refreshToken }, false);
    if (res.status === 401 || res.status === 400) {
      await res.body?.cancel();
      throw new CliError('session expired: run fleetplane login');
    }
    if (!res.ok) throw await ApiError.from(res);
    const parsed = tokenPairSchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new CliError('POST /auth/refresh: unexpected response');
    // Saved first: the old refresh token is now spent, and losing the new one would log the operator out.
    await session.onRotated(parsed.data);
    this.auth = { ...session, tokens: parsed.data };
  }

  private async send(method: string, path: string, body: unknown, authenticated: boolean, timeout = true): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authenticated && this.auth.kind === 'apiKey') headers['x-api-key'] = this.auth.key;
    if (authenticated && this.auth.kind === 'session') headers.authorization = `Bearer ${this.auth.tokens.accessToken}`;
    const url = `${this.baseUrl.replace(/\/+$/, '')}/api/v1${path}`;
    try {
      return await this.fetchFn(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(timeout ? { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) } : {}),
      });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : (err as Error).message;
      throw new CliError(`cannot reach the gateway at ${this.baseUrl}: ${cause}`);
    }
  }
}

function auditQuery(filter: AuditFilter): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (typeof v === 'string' && v !== '') q.set(k, v);
  return q;
}

const isStream = (w: Writer): w is Writer & NodeJS.WritableStream => typeof (w as { once?: unknown }).once === 'function';
