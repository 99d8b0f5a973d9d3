import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';

// agent-hub's AgentAccessService for the gateway's integration tests: enrollment tokens kept in
// memory, and revoke/delete of agents recorded (KNOWN_AGENT in fake-peers.ts exists, every other
// id is NOT_FOUND, agent-unavailable answers UNAVAILABLE).

type Handler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => void;

const fail = (code: grpc.status, details: string) => ({ code, details, name: 'Error', message: details }) as grpc.ServiceError;

/** What reached the fake: `revoke agent-1`, `delete agent-1`. */
export const seenAgentAccess: string[] = [];

export const FAKE_TOKEN_SECRET = 'A'.repeat(43);

export function agentAccessHandlers(knownAgent: string): grpc.UntypedServiceImplementation {
  const tokens: agentHubV1.EnrollmentToken[] = [];
  const createEnrollmentToken: Handler<agentHubV1.CreateEnrollmentTokenRequest, agentHubV1.CreateEnrollmentTokenResponse> = (call, cb) => {
    const r = call.request;
    const n = tokens.length + 1;
    const token: agentHubV1.EnrollmentToken = {
      id: randomUUID(),
      prefix: `fpe_${n.toString(16).padStart(12, '0')}`,
      site: r.site,
      labels: r.labels,
      uses: 0,
      maxUses: r.maxUses || 1,
      allowReenroll: r.allowReenroll,
      expiresAt: r.expiresAt || new Date(Date.parse('2026-01-01T00:00:00.000Z') + 86_400_000).toISOString(),
      revokedAt: '',
      createdAt: new Date(Date.parse('2026-01-01T00:00:00.000Z') + n * 1000).toISOString(),
      createdBy: r.createdBy,
      lastUsedAt: '',
      lastAgentId: '',
    };
    tokens.unshift(token);
    cb(null, { enrollmentToken: token, token: `${token.prefix}_${FAKE_TOKEN_SECRET}` });
  };
  const listEnrollmentTokens: Handler<agentHubV1.ListEnrollmentTokensRequest, agentHubV1.ListEnrollmentTokensResponse> = (_call, cb) =>
    cb(null, { enrollmentTokens: tokens, nextPageToken: '' });
  const revokeEnrollmentToken: Handler<agentHubV1.RevokeEnrollmentTokenRequest, agentHubV1.RevokeEnrollmentTokenResponse> = (call, cb) => {
    const token = tokens.find((t) => t.id === call.request.id);
    if (!token) return cb(fail(grpc.status.NOT_FOUND, `enrollment token ${call.request.id} not found`));
    token.revokedAt ||= '2026-01-02T00:00:00.000Z';
    cb(null, { enrollmentToken: token });
  };
  const agentCall =
    <Res>(verb: string, answer: () => Res): Handler<{ agentId: string }, Res> =>
    (call, cb) => {
      const id = call.request.agentId;
      if (id === 'agent-unavailable') return cb(fail(grpc.status.UNAVAILABLE, 'a dependency (database, queue or NATS) is unavailable; retry later'));
      if (id !== knownAgent) return cb(fail(grpc.status.NOT_FOUND, `agent ${id} not found`));
      seenAgentAccess.push(`${verb} ${id}`);
      cb(null, answer());
    };
  return {
    createEnrollmentToken,
    listEnrollmentTokens,
    revokeEnrollmentToken,
    revokeAgent: agentCall('revoke', () => ({})),
    deleteAgent: agentCall('delete', () => ({})),
  };
}
