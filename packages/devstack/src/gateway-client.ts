/** The slice of the REST API that `make up`, the end-to-end tests and the benchmark drive. */
export interface ExecutionView {
  id: string;
  agentId: string;
  state: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  error?: string | null;
  reason?: string | null;
}
export interface CommandView {
  id: string;
  verb: string;
  state: string;
  summary: { targets: number; byState: Record<string, number> } | null;
  /** Not in the API's command: GatewayClient reads them from …/executions. */
  executions: ExecutionView[];
}
export interface AgentView {
  id: string;
  connected: boolean;
}

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
  }
}

export const FINISHED_STATES = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'SKIPPED', 'EXPIRED']);

/** The parts of a backup job (GET /backup-jobs/:id) the end-to-end tests read. */
export interface BackupJobView {
  id: string;
  kind: string;
  state: string;
  error: string | null;
  backupId: string | null;
  backup: { id: string; sources: Array<{ name: string; rowCounts: Record<string, number> }> } | null;
  restore: { sources: Array<{ source: string; database: string; rows: number; mismatches: unknown[] }> } | null;
  verify?: { ok: boolean; packsChecked: number; blobsChecked: number; errors: string[] } | null;
}

export interface BackupListItem {
  id: string;
  type: string;
  parentId: string | null;
  sources: Array<{ name: string; rowCounts: Record<string, number> }>;
}

export class GatewayClient {
  private accessToken = '';

  constructor(readonly baseUrl: string) {}

  /** The access token of the last login, for callers that send their own requests (the multi-instance load). */
  get bearer(): string {
    return this.accessToken;
  }

  private async call<T>(method: string, path: string, body?: unknown, expected = [200]): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.accessToken ? { authorization: `Bearer ${this.accessToken}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!expected.includes(res.status)) throw new GatewayError(res.status, parsed, `${method} ${path}`);
    return parsed as T;
  }

  async login(email: string, password: string): Promise<void> {
    const r = await this.call<{ accessToken: string }>('POST', '/api/v1/auth/login', { email, password }, [200, 201]);
    this.accessToken = r.accessToken;
  }

  enrollAgent(id: string, site = 'local'): Promise<{ agent: AgentView; token: string }> {
    return this.call('POST', '/api/v1/agents', { id, site }, [200, 201]);
  }

  getAgent(id: string): Promise<AgentView> {
    return this.call<AgentView | { agent: AgentView }>('GET', `/api/v1/agents/${encodeURIComponent(id)}`).then((r) => ('agent' in r ? r.agent : r));
  }

  async submitCommand(body: {
    verb: string;
    params: Record<string, unknown>;
    targets: string[];
    priority?: string;
    timeoutSeconds?: number;
  }): Promise<CommandView> {
    const c = await this.call<Omit<CommandView, 'executions'>>('POST', '/api/v1/commands', body, [200, 201, 202]);
    return { ...c, executions: await this.executions(c.id) };
  }

  /** The command and its executions (the first 500: enough for what make up and the tests run). */
  async getCommand(id: string): Promise<CommandView> {
    const c = await this.call<Omit<CommandView, 'executions'>>('GET', `/api/v1/commands/${encodeURIComponent(id)}`);
    return { ...c, executions: await this.executions(id) };
  }

  async executions(id: string): Promise<ExecutionView[]> {
    return (await this.call<{ executions: ExecutionView[] }>('GET', `/api/v1/commands/${encodeURIComponent(id)}/executions?pageSize=500`)).executions;
  }

  cancelCommand(id: string): Promise<{ cancelled: number; stopping: number; command: Omit<CommandView, 'executions'> }> {
    return this.call('POST', `/api/v1/commands/${encodeURIComponent(id)}/cancel`, undefined, [202]);
  }

  /** A range of an execution's stored output, decoded. */
  async output(id: string, executionId: string, offset = 0): Promise<{ text: string; nextOffset: number; complete: boolean }> {
    const r = await this.call<{ data: string; nextOffset: number; complete: boolean }>(
      'GET',
      `/api/v1/commands/${encodeURIComponent(id)}/executions/${encodeURIComponent(executionId)}/output?offset=${offset}`,
    );
    return { text: Buffer.from(r.data, 'base64').toString('utf8'), nextOffset: r.nextOffset, complete: r.complete };
  }

  /** Polls until the command is finished (bounded by `timeoutMs`). */
  async waitForCommand(id: string, timeoutMs = 30_000, pollMs = 20): Promise<CommandView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // The state alone while it runs; the executions once, at the end.
      const c = await this.call<Omit<CommandView, 'executions'>>('GET', `/api/v1/commands/${encodeURIComponent(id)}`);
      if (FINISHED_STATES.has(c.state)) return { ...c, executions: await this.executions(id) };
      if (Date.now() > deadline) throw new Error(`command ${id} still ${c.state} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** Polls until the agent is connected to the hub (bounded by `timeoutMs`). */
  async waitForAgent(id: string, timeoutMs = 20_000): Promise<AgentView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const a = await this.getAgent(id).catch(() => undefined);
      if (a?.connected) return a;
      if (Date.now() > deadline) throw new Error(`agent ${id} did not connect within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** POST /backups (202), then polls GET /backup-jobs/:id until the job ends. */
  async backup(body: { type: string; sources?: string[] }, timeoutMs = 60_000): Promise<BackupJobView> {
    const job = await this.call<BackupJobView>('POST', '/api/v1/backups', body, [202]);
    return this.waitForBackupJob(job.id, timeoutMs);
  }

  /** POST /backups/:id/restore (202), then polls the RESTORE job until it ends. */
  async restoreBackup(id: string, targets: Array<{ source: string; database: string }>, timeoutMs = 60_000): Promise<BackupJobView> {
    const answer = await this.call<{ job: BackupJobView }>('POST', `/api/v1/backups/${id}/restore`, { targets }, [202]);
    return this.waitForBackupJob(answer.job.id, timeoutMs);
  }

  createApiKey(name: string, role: string, scopes?: string[]): Promise<{ id: string; key: string }> {
    return this.call('POST', '/api/v1/api-keys', { name, role, ...(scopes ? { scopes } : {}) }, [201]);
  }

  /** POST /backups/:id/verify (202), then polls the VERIFY job until it ends. */
  async verifyBackup(id: string, readData = true, timeoutMs = 60_000): Promise<BackupJobView> {
    const job = await this.call<BackupJobView>('POST', `/api/v1/backups/${id}/verify`, { readData }, [202]);
    return this.waitForBackupJob(job.id, timeoutMs);
  }

  async listBackups(): Promise<BackupListItem[]> {
    return (await this.call<{ backups: BackupListItem[] }>('GET', '/api/v1/backups')).backups;
  }

  async waitForBackupJob(id: string, timeoutMs = 60_000): Promise<BackupJobView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.call<BackupJobView>('GET', `/api/v1/backup-jobs/${id}`);
      if (job.state !== 'QUEUED' && job.state !== 'RUNNING') return job;
      if (Date.now() > deadline) throw new Error(`backup job ${id} still ${job.state} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
