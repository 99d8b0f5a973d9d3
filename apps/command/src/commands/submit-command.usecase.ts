import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { commandV1 } from '@fleetplane/contracts/grpc';
import { currentTraceCarrier } from '@fleetplane/observability';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { grpcError, GrpcStatus, invalidArgument, notFound } from '@fleetplane/service-kit/grpc';
import { AgentDirectory, AgentHubUnavailableError, type TargetAgent } from '../agents/agent-directory.js';
import type { CommandConfig } from '../config.js';
import { CommandRepository, DuplicateIdempotencyKeyError, type NewCommand } from '../executions/command.repository.js';
import type { CommandCounts } from '../executions/execution-queries.repository.js';
import type { Command } from '../generated/prisma/client.js';
import { countStates } from '../executions/command-state.js';
import { CommandMetrics } from '../metrics/command-metrics.js';
import { CommandQueue } from '../queue/command-queue.js';
import { QueueHandoff } from '../queue/queue-handoff.js';
import { MAX_TARGETS, resolveLimit, validateSubmit, type Selector, type ValidSubmit } from './submit-validation.js';
import { planTargets } from './target-plan.js';

type Limits = Pick<CommandConfig, 'DEFAULT_TIMEOUT_SECONDS' | 'MAX_TIMEOUT_SECONDS' | 'DEFAULT_TTL_SECONDS' | 'MAX_TTL_SECONDS'>;

/**
 * A submitted command with its executions' counts as stored (null when an idempotency key
 * answered an earlier command: those are read). The answer says what was stored, not what
 * the dispatcher did in the microseconds since.
 */
export interface Submitted {
  command: Command;
  counts: CommandCounts | null;
}

/** What a submit is besides its targets, for a retry that re-runs a stored command. */
export interface Resubmit {
  command: Command;
  agentIds: string[];
  requestedBy: string;
  idempotencyKey: string;
}

/**
 * Submitting a command: validate, resolve the targets once through agent-hub
 * (a selector or a list of ids, in one streaming call) into the frozen target
 * set, store the command and its executions in one transaction, and queue the
 * released ones. A repeated idempotency key of the same caller answers the
 * original command; with a different request it is refused.
 */
@Injectable()
export class SubmitCommand {
  constructor(
    @Inject(CommandRepository) private readonly commands: CommandRepository,
    @Inject(AgentDirectory) private readonly agents: AgentDirectory,
    @Inject(CommandQueue) private readonly queue: CommandQueue,
    @Inject(QueueHandoff) private readonly handoff: QueueHandoff,
    @InjectConfig() private readonly config: Limits,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CommandMetrics) private readonly metrics: CommandMetrics,
  ) {}

  async execute(req: commandV1.SubmitCommandRequest): Promise<Submitted> {
    const check = validateSubmit(req, {
      defaultSeconds: this.config.DEFAULT_TIMEOUT_SECONDS,
      maxSeconds: this.config.MAX_TIMEOUT_SECONDS,
      defaultTtlSeconds: this.config.DEFAULT_TTL_SECONDS,
      maxTtlSeconds: this.config.MAX_TTL_SECONDS,
    });
    if (!check.ok) throw invalidArgument(check.field, check.message);
    const started = performance.now();
    try {
      const submitted = await this.store(check.value, null);
      this.metrics.submitTook((performance.now() - started) / 1000, 'ok');
      return submitted;
    } catch (err) {
      this.metrics.submitTook((performance.now() - started) / 1000, 'error');
      throw err;
    }
  }

  /** A retry: the stored command's verb, parameters and limits, on the given agents. */
  async resubmit(r: Resubmit): Promise<Submitted> {
    const c = r.command;
    return this.store(
      {
        verb: c.verb,
        params: c.params as Record<string, unknown>,
        targets: { kind: 'ids', ids: r.agentIds },
        priority: c.priority,
        timeoutSeconds: c.timeoutSeconds,
        ttlSeconds: c.ttlSeconds,
        maxConcurrency: c.maxConcurrency === null ? null : { count: c.maxConcurrency },
        maxErrors: c.maxErrors === null ? null : { count: c.maxErrors },
        requestedBy: r.requestedBy,
        idempotencyKey: r.idempotencyKey || null,
      },
      c.id,
    );
  }

  private async store(cmd: ValidSubmit, retryOf: string | null): Promise<Submitted> {
    const requestHash = hashRequest(cmd, retryOf);
    if (cmd.idempotencyKey) {
      const original = await this.original(cmd.requestedBy, cmd.idempotencyKey, requestHash);
      if (original) return { command: original, counts: null };
    }
    const agents = await this.resolve(cmd);
    const maxConcurrency = resolveLimit(cmd.maxConcurrency, agents.length, 1);
    const maxErrors = resolveLimit(cmd.maxErrors, agents.length, 0);
    const command: NewCommand = {
      verb: cmd.verb,
      params: cmd.params,
      priority: cmd.priority,
      requestedBy: cmd.requestedBy,
      timeoutSeconds: cmd.timeoutSeconds,
      ttlSeconds: cmd.ttlSeconds,
      idempotencyKey: cmd.idempotencyKey,
      requestHash,
      selector: cmd.targets.kind === 'selector' ? { ...cmd.targets.selector } : null,
      maxConcurrency,
      maxErrors,
      retryOf,
      targets: planTargets(agents, cmd.verb, maxConcurrency),
      createdAt: this.clock.now(),
    };

    let stored: Awaited<ReturnType<CommandRepository['create']>>;
    try {
      stored = await this.commands.create(command);
    } catch (err) {
      // A concurrent submit with the same key won: answer with its command.
      if (err instanceof DuplicateIdempotencyKeyError && cmd.idempotencyKey) {
        const original = await this.original(cmd.requestedBy, cmd.idempotencyKey, requestHash);
        if (original) return { command: original, counts: null };
      }
      throw err;
    }

    try {
      await this.handoff.enqueue(stored.released, cmd.priority, currentTraceCarrier(), cmd.timeoutSeconds);
    } catch (err) {
      // Undo, so the caller's retry starts clean. If even that fails, the stored executions keep
      // their release mark and the recovery sweep queues them once the queue is back.
      await this.queue.retract(stored.released.map((e) => e.id));
      const undone = await this.commands.delete(stored.command.id).then(
        () => true,
        () => false,
      );
      const what = undone ? 'nothing was stored' : `command ${stored.command.id} was stored and will be queued when the queue is back`;
      throw grpcError(GrpcStatus.UNAVAILABLE, `command queue unavailable, ${what}: ${(err as Error).message}`);
    }
    this.metrics.submitted(cmd.verb);
    this.metrics.matched(agents.length);
    const skipped = command.targets.filter((t) => t.state === 'SKIPPED').length;
    this.metrics.finished('SKIPPED', skipped);
    const counts = {
      byState: countStates(command.targets.map((t) => t.state)),
      exitCodes: [],
      firstErrors: [],
      nonResponders: [],
      nonRespondersTotal: 0,
      lastChange: null,
    };
    return { command: stored.command, counts };
  }

  private async original(requestedBy: string, key: string, requestHash: string): Promise<Command | null> {
    const original = await this.commands.findByIdempotencyKey(requestedBy, key);
    if (original && original.requestHash !== requestHash) {
      throw grpcError(GrpcStatus.ALREADY_EXISTS, `idempotency_key: "${key}" was used for a different request (command ${original.id})`);
    }
    return original;
  }

  private async resolve(cmd: ValidSubmit): Promise<TargetAgent[]> {
    const t = cmd.targets;
    const selector = t.kind === 'ids' ? { agentIds: t.ids } : toAgentSelector(t.selector);
    let agents: TargetAgent[];
    try {
      agents = await this.agents.select({
        site: '',
        labels: {},
        capabilities: [],
        os: '',
        connectedOnly: false,
        disconnectedOnly: false,
        all: false,
        ...selector,
      });
    } catch (err) {
      if (err instanceof AgentHubUnavailableError) throw grpcError(GrpcStatus.UNAVAILABLE, err.message);
      throw err;
    }
    if (t.kind === 'ids') {
      const found = new Set(agents.map((a) => a.id));
      const missing = t.ids.find((id) => !found.has(id));
      if (missing) throw notFound(`agent ${missing}`);
      // The caller's order, as listed.
      const byId = new Map(agents.map((a) => [a.id, a]));
      return t.ids.map((id) => byId.get(id)!);
    }
    if (agents.length === 0) throw invalidArgument('selector', 'matches no agent');
    if (agents.length > MAX_TARGETS) throw invalidArgument('selector', `matches ${agents.length} agents; at most ${MAX_TARGETS} per command`);
    return agents;
  }
}

function toAgentSelector(s: Selector) {
  return {
    agentIds: s.agentIds,
    site: s.site,
    labels: s.labels,
    capabilities: s.capabilities,
    os: s.os,
    connectedOnly: s.connected === true,
    disconnectedOnly: s.connected === false,
  };
}

/** What makes two submits "the same request" for an idempotency key: everything but who sent it and the key. */
function hashRequest(cmd: ValidSubmit, retryOf: string | null): string {
  const { requestedBy: _by, idempotencyKey: _key, ...request } = cmd;
  return createHash('sha256')
    .update(canonicalJson({ ...request, retryOf }))
    .digest('hex');
}

/** JSON with object keys sorted, so the same request hashes the same whatever order its fields came in. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
