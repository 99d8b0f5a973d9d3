import { randomUUID } from 'node:crypto';
import type { Command, Execution } from '../generated/prisma/client.js';
import { isTerminal } from '../executions/command-state.js';
import type {
  CommandRepository,
  CommandWithExecutions,
  ExecutionOutcome,
  ExecutionWithCommand,
  ListCursor,
  NewCommand,
} from '../executions/command.repository.js';
import { DuplicateIdempotencyKeyError } from '../executions/command.repository.js';

/** In-memory stand-in for CommandRepository in unit tests, with the same conditional state moves. */
export class FakeCommandRepository {
  readonly commands = new Map<string, Command>();
  readonly executions = new Map<string, Execution>();

  asRepository(): CommandRepository {
    return this as unknown as CommandRepository;
  }

  private withExecutions(c: Command): CommandWithExecutions {
    return { ...c, executions: [...this.executions.values()].filter((e) => e.commandId === c.id) };
  }

  findById(id: string): Promise<CommandWithExecutions | null> {
    const c = this.commands.get(id);
    return Promise.resolve(c ? this.withExecutions(c) : null);
  }

  findByIdempotencyKey(key: string): Promise<CommandWithExecutions | null> {
    const c = [...this.commands.values()].find((x) => x.idempotencyKey === key);
    return Promise.resolve(c ? this.withExecutions(c) : null);
  }

  /** The usual fixture: one `exec` for agent-1, 30 s timeout, deadline 35 s after `createdAt`. */
  seedExecCommand(createdAt: Date, argv: string[] = ['true']): Promise<CommandWithExecutions> {
    return this.create({
      verb: 'exec',
      params: { argv },
      priority: 'NORMAL',
      requestedBy: 'alice',
      timeoutSeconds: 30,
      idempotencyKey: null,
      targets: ['agent-1'],
      createdAt,
      deadlineAt: new Date(createdAt.getTime() + 35_000),
    });
  }

  async create(n: NewCommand): Promise<CommandWithExecutions> {
    if (n.idempotencyKey && (await this.findByIdempotencyKey(n.idempotencyKey))) throw new DuplicateIdempotencyKeyError();
    const c: Command = {
      id: randomUUID(),
      verb: n.verb,
      params: n.params as Command['params'],
      priority: n.priority,
      requestedBy: n.requestedBy,
      timeoutSeconds: n.timeoutSeconds,
      idempotencyKey: n.idempotencyKey,
      createdAt: n.createdAt,
      updatedAt: n.createdAt,
    };
    this.commands.set(c.id, c);
    for (const agentId of n.targets) this.addExecution({ commandId: c.id, agentId, deadlineAt: n.deadlineAt, createdAt: n.createdAt });
    return this.withExecutions(c);
  }

  addExecution(e: Partial<Execution> & Pick<Execution, 'commandId' | 'agentId' | 'deadlineAt'>): Execution {
    const full: Execution = {
      id: randomUUID(),
      state: 'QUEUED',
      exitCode: null,
      stdout: '',
      stderr: '',
      truncated: false,
      error: '',
      attempts: 0,
      dispatchedAt: null,
      startedAt: null,
      finishedAt: null,
      createdAt: new Date(),
      ...e,
    };
    this.executions.set(full.id, full);
    return full;
  }

  delete(id: string): Promise<void> {
    this.commands.delete(id);
    for (const e of this.executions.values()) if (e.commandId === id) this.executions.delete(e.id);
    return Promise.resolve();
  }

  /** Newest first, as (createdAt, id) descending, after the cursor. */
  list(agentId: string, cursor: ListCursor | undefined, take: number): Promise<CommandWithExecutions[]> {
    const newestFirst = (a: Command, b: Command) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1);
    const after = (c: Command) => !cursor || c.createdAt < cursor.key || (c.createdAt.getTime() === cursor.key.getTime() && c.id < cursor.id);
    const rows = [...this.commands.values()]
      .sort(newestFirst)
      .filter(after)
      .map((c) => this.withExecutions(c))
      .filter((c) => !agentId || c.executions.some((e) => e.agentId === agentId));
    return Promise.resolve(rows.slice(0, take));
  }

  findExecution(id: string): Promise<ExecutionWithCommand | null> {
    const e = this.executions.get(id);
    const command = e && this.commands.get(e.commandId);
    return Promise.resolve(e && command ? { ...e, command } : null);
  }

  recordAttempt(id: string): Promise<number> {
    const e = this.executions.get(id)!;
    e.attempts += 1;
    return Promise.resolve(e.attempts);
  }

  markDispatched(id: string, at: Date): Promise<boolean> {
    const e = this.executions.get(id)!;
    if (e.state !== 'PENDING' && e.state !== 'QUEUED') return Promise.resolve(false);
    Object.assign(e, { state: 'DISPATCHED', dispatchedAt: at });
    return Promise.resolve(true);
  }

  markRunning(id: string, at: Date): Promise<boolean> {
    const e = this.executions.get(id)!;
    if (!['PENDING', 'QUEUED', 'DISPATCHED'].includes(e.state)) return Promise.resolve(false);
    Object.assign(e, { state: 'RUNNING', startedAt: at });
    return Promise.resolve(true);
  }

  finish(id: string, o: ExecutionOutcome): Promise<boolean> {
    const e = this.executions.get(id)!;
    if (isTerminal(e.state)) return Promise.resolve(false);
    const { state, finishedAt, ...rest } = o;
    Object.assign(e, { state, finishedAt }, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
    return Promise.resolve(true);
  }
}
