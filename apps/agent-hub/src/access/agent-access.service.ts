import { Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';
import { Clock, PageTokenCodec, pageSize, takePage, type KeysetCursor } from '@fleetplane/service-kit';
import { decodeGrpcPageToken, invalidArgument, notFound } from '@fleetplane/service-kit/grpc';
import { NatsClient } from '@fleetplane/service-kit/nats';
import { parseRequest } from '../agents/agent-requests.js';
import { toAgentMessage } from '../agents/agent-view.js';
import { PresenceWindow } from '../agents/presence-window.js';
import {
  agentIdRequestSchema,
  createTokenRequestSchema,
  DEFAULT_TOKEN_LIFETIME_MS,
  listTokensRequestSchema,
  MAX_TOKEN_LIFETIME_MS,
  tokenIdRequestSchema,
} from './access-requests.js';
import { AgentAccessRepository } from './agent-access.repository.js';
import { newEnrollmentToken } from './enrollment-token-format.js';
import { EnrollmentTokenRepository } from './enrollment-token.repository.js';
import { toEnrollmentTokenMessage } from './enrollment-token-view.js';

// Tokens are listed newest first, so a cursor is the creation instant and id of the last one.
const pageTokens = new PageTokenCodec<KeysetCursor<string>>(z.object({ key: z.iso.datetime(), id: z.uuid() }), 'ListEnrollmentTokens');

/** AgentAccessService: enrollment tokens, and revoking or deleting agents. */
@Injectable()
export class AgentAccessService {
  private readonly log = new Logger('AgentAccess');

  constructor(
    private readonly tokens: EnrollmentTokenRepository,
    private readonly agents: AgentAccessRepository,
    private readonly presence: PresenceWindow,
    private readonly nats: NatsClient,
    private readonly clock: Clock,
  ) {}

  async createToken(req: agentHubV1.CreateEnrollmentTokenRequest): Promise<agentHubV1.CreateEnrollmentTokenResponse> {
    const r = parseRequest(createTokenRequestSchema, {
      site: req.site ?? '',
      labels: req.labels ?? {},
      expires_at: req.expiresAt ?? '',
      max_uses: req.maxUses ?? 0,
      allow_reenroll: req.allowReenroll ?? false,
      created_by: req.createdBy ?? '',
    });
    const now = this.clock.nowMs();
    const expiresAt = r.expires_at ? new Date(r.expires_at) : new Date(now + DEFAULT_TOKEN_LIFETIME_MS);
    if (expiresAt.getTime() <= now) throw invalidArgument('expires_at', 'must be in the future');
    if (expiresAt.getTime() > now + MAX_TOKEN_LIFETIME_MS) throw invalidArgument('expires_at', 'must be within a year');
    const secret = newEnrollmentToken();
    const row = await this.tokens.create({
      prefix: secret.prefix,
      secretHash: secret.secretHash,
      site: r.site,
      labels: r.labels,
      maxUses: r.max_uses || 1,
      allowReenroll: r.allow_reenroll,
      expiresAt,
      createdBy: r.created_by,
    });
    this.log.log(`enrollment token fpe_${row.prefix} created by ${row.createdBy} (max ${row.maxUses} uses, expires ${expiresAt.toISOString()})`);
    return { enrollmentToken: toEnrollmentTokenMessage(row), token: secret.token };
  }

  async listTokens(req: agentHubV1.ListEnrollmentTokensRequest): Promise<agentHubV1.ListEnrollmentTokensResponse> {
    const r = parseRequest(listTokensRequestSchema, { page_size: req.pageSize ?? 0, page_token: req.pageToken ?? '' });
    const after = decodeGrpcPageToken(pageTokens, r.page_token);
    const size = pageSize(r.page_size);
    const rows = await this.tokens.list(after, size + 1);
    const page = takePage(rows, size, (last) => ({ key: last.createdAt.toISOString(), id: last.id }));
    return { enrollmentTokens: page.items.map(toEnrollmentTokenMessage), nextPageToken: page.next ? pageTokens.encode(page.next) : '' };
  }

  async revokeToken(req: agentHubV1.RevokeEnrollmentTokenRequest): Promise<agentHubV1.RevokeEnrollmentTokenResponse> {
    const r = parseRequest(tokenIdRequestSchema, { id: req.id ?? '' });
    const row = await this.tokens.revoke(r.id, this.clock.now());
    if (!row) throw notFound(`enrollment token ${r.id}`);
    this.log.log(`enrollment token fpe_${row.prefix} revoked`);
    return { enrollmentToken: toEnrollmentTokenMessage(row) };
  }

  /** The credential is refused from the database write on; the event closes the open session on whichever instance holds it. */
  async revokeAgent(req: agentHubV1.RevokeAgentRequest): Promise<agentHubV1.RevokeAgentResponse> {
    const r = parseRequest(agentIdRequestSchema, { agent_id: req.agentId ?? '' });
    const row = await this.agents.revoke(r.agent_id, this.clock.now());
    if (!row) throw notFound(`agent ${r.agent_id}`);
    this.announce(r.agent_id, 'revoked');
    return { agent: toAgentMessage(row, this.presence.connectedSince()) };
  }

  async deleteAgent(req: agentHubV1.DeleteAgentRequest): Promise<agentHubV1.DeleteAgentResponse> {
    const r = parseRequest(agentIdRequestSchema, { agent_id: req.agentId ?? '' });
    if (!(await this.agents.delete(r.agent_id))) throw notFound(`agent ${r.agent_id}`);
    this.announce(r.agent_id, 'deleted');
    return {};
  }

  private announce(agentId: string, reason: 'revoked' | 'deleted'): void {
    this.log.log(`agent ${agentId} ${reason}`);
    this.nats.emit('agent.revoked', { agentId, reason, at: this.clock.now().toISOString() });
  }
}
