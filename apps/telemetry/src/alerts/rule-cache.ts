import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { eventSchemas, subjects } from '@fleetplane/contracts';
import { Clock, InjectConfig } from '@fleetplane/service-kit';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { AgentDirectory } from '../agents/agent-directory.js';
import type { TelemetryConfig } from '../config.js';
import type { AlertRule } from './alert-rule.js';
import { AlertRulesRepository } from './alert-rules.repository.js';

/** A rule with its scope turned into a membership test. */
export interface ActiveRule {
  rule: AlertRule;
  applies(agentId: string): boolean;
}

interface ResolvedScope {
  ids: ReadonlySet<string>;
  at: number;
}

/**
 * The enabled rules, read from the database at most every ALERT_RULES_TTL_MS and at once after
 * `alert_rules.changed` (published by whichever instance changed them): a rule edit takes effect
 * without a restart. Scopes by site or labels are resolved through agent-hub's registry and kept
 * ALERT_SCOPE_TTL_MS; while agent-hub is away such a rule keeps its last resolution (or, never
 * resolved, applies to no agent — logged).
 */
@Injectable()
export class RuleCache implements OnApplicationBootstrap {
  private readonly log = new Logger(RuleCache.name);
  private rules: AlertRule[] = [];
  private loadedAt = -Infinity;
  private loading?: Promise<void>;
  private readonly scopes = new Map<string, ResolvedScope>();

  constructor(
    private readonly repo: AlertRulesRepository,
    private readonly directory: AgentDirectory,
    private readonly nats: NatsClient,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: TelemetryConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.nats.subscribe(subjects.event('alert_rules.changed'), eventSchemas['alert_rules.changed'], () => this.invalidate());
  }

  invalidate(): void {
    this.loadedAt = -Infinity;
    this.scopes.clear();
  }

  /** The enabled rules, each with its scope resolved. */
  async active(): Promise<ActiveRule[]> {
    const now = this.clock.nowMs();
    if (now - this.loadedAt >= this.config.ALERT_RULES_TTL_MS) {
      this.loading ??= this.repo
        .all()
        .then((rules) => {
          this.rules = rules;
          this.loadedAt = this.clock.nowMs();
        })
        .finally(() => (this.loading = undefined));
      await this.loading;
    }
    const out: ActiveRule[] = [];
    for (const rule of this.rules) {
      if (!rule.enabled) continue;
      const { agentIds, site, labels } = rule.scope;
      if (site === '' && Object.keys(labels).length === 0) {
        const ids = new Set(agentIds);
        out.push({ rule, applies: ids.size === 0 ? () => true : (a) => ids.has(a) });
        continue;
      }
      const scope = await this.resolve(rule, now);
      out.push({ rule, applies: (a) => scope.has(a) });
    }
    return out;
  }

  private async resolve(rule: AlertRule, now: number): Promise<ReadonlySet<string>> {
    const cached = this.scopes.get(rule.id);
    if (cached && now - cached.at < this.config.ALERT_SCOPE_TTL_MS) return cached.ids;
    try {
      const ids = new Set(await this.directory.resolve({ ...rule.scope, all: false }, 'scope'));
      this.scopes.set(rule.id, { ids, at: now });
      return ids;
    } catch (err) {
      this.log.warn(`rule ${rule.name}: scope not resolved, ${cached ? 'keeping the last resolution' : 'no agent in scope'}: ${(err as Error).message}`);
      // Tried again after the TTL, not on every batch.
      const ids = cached?.ids ?? new Set<string>();
      this.scopes.set(rule.id, { ids, at: now });
      return ids;
    }
  }
}
