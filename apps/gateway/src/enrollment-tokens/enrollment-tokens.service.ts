import { BadRequestException, Injectable } from '@nestjs/common';
import { agentHubV1 } from '@fleetplane/contracts/grpc';
import { Clock } from '@fleetplane/service-kit';
import { GrpcStatus, InjectGrpcClient, UpstreamError, type GrpcClient } from '@fleetplane/service-kit/grpc';
import { AuditService } from '../audit/audit.service.js';
import { failureDetails } from '../audit/failure-details.js';
import { actorId, type Caller } from '../auth/principal.js';
import { fieldError } from '../http/field-error.js';
import { toEnrollmentTokenView } from './enrollment-token-view.js';
import type { CreateEnrollmentTokenBody, CreatedEnrollmentToken, EnrollmentTokenPage, ListEnrollmentTokensQuery } from './enrollment-tokens.schemas.js';

// The peer's name in metrics and errors, as for /agents (a client of its own: another service of that package).
export const AGENT_ACCESS = 'agent-hub';

const YEAR_MS = 366 * 24 * 60 * 60 * 1000;

/** /enrollment-tokens, kept by agent-hub (AgentAccessService). The token is shown once, never audited or logged. */
@Injectable()
export class EnrollmentTokensService {
  constructor(
    @InjectGrpcClient(AGENT_ACCESS) private readonly hub: GrpcClient<agentHubV1.AgentAccessServiceClient>,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(caller: Caller, body: CreateEnrollmentTokenBody): Promise<CreatedEnrollmentToken> {
    const details = { site: body.site ?? null, maxUses: body.maxUses ?? 1, allowReenroll: body.allowReenroll ?? false, expiresAt: body.expiresAt ?? null };
    const entry = { action: 'enrollment_token.create', details };
    const expiresMs = body.expiresAt === undefined ? undefined : Date.parse(body.expiresAt);
    const now = this.clock.nowMs();
    if (expiresMs !== undefined && (expiresMs <= now || expiresMs > now + YEAR_MS)) {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: { ...details, reason: 'bad_expiry' } });
      throw new BadRequestException(fieldError('expiresAt', 'must be in the future and within a year'));
    }
    try {
      const res = await this.hub.call('createEnrollmentToken', {
        site: body.site ?? '',
        labels: body.labels ?? {},
        expiresAt: body.expiresAt ?? '',
        maxUses: body.maxUses ?? 1,
        allowReenroll: body.allowReenroll ?? false,
        createdBy: actorId(caller.principal),
      });
      if (!res.enrollmentToken || !res.token) throw new UpstreamError(AGENT_ACCESS, 'createEnrollmentToken', GrpcStatus.INTERNAL, 'reply without token');
      const view = toEnrollmentTokenView(res.enrollmentToken);
      await this.audit.recordFor(caller, {
        ...entry,
        outcome: 'success',
        target: view.id,
        details: { ...details, prefix: view.prefix, expiresAt: view.expiresAt },
      });
      return { enrollmentToken: view, token: res.token };
    } catch (err) {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: { ...details, ...failureDetails(err) } });
      throw err;
    }
  }

  async list(q: ListEnrollmentTokensQuery): Promise<EnrollmentTokenPage> {
    const res = await this.hub.call('listEnrollmentTokens', { pageSize: q.pageSize, pageToken: q.pageToken ?? '' });
    return { enrollmentTokens: (res.enrollmentTokens ?? []).map(toEnrollmentTokenView), nextPageToken: res.nextPageToken || null };
  }

  async revoke(caller: Caller, id: string): Promise<void> {
    const entry = { action: 'enrollment_token.revoke', target: id };
    try {
      const res = await this.hub.call('revokeEnrollmentToken', { id });
      await this.audit.recordFor(caller, { ...entry, outcome: 'success', details: { prefix: res.enrollmentToken?.prefix ?? null } });
    } catch (err) {
      await this.audit.recordFor(caller, { ...entry, outcome: 'failed', details: failureDetails(err) });
      throw err;
    }
  }
}
