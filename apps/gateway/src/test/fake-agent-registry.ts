import type * as grpc from '@grpc/grpc-js';
import type { agentHubV1 } from '@fleetplane/contracts/grpc';

// The fake agent-hub's AgentRegistryService (counts and the summary behind
// GET /agents?includeTotal=true and GET /agents/summary), served beside
// AgentHubService by startFakeAgentHub.

/** Every CountAgents request, in order: the filters the gateway turned a query into. */
export const seenCountRequests: agentHubV1.ListAgentsRequest[] = [];

export const COUNTED_AGENTS = 42;

export const AGENT_SUMMARY: agentHubV1.SummarizeAgentsResponse = {
  agents: { total: 3, connected: 2 },
  bySite: [
    { key: 'lab', total: 2, connected: 2 },
    { key: '', total: 1, connected: 0 },
  ],
  byOs: [{ key: 'linux', total: 3, connected: 2 }],
  byVersion: [
    { key: '0.1.0', total: 2, connected: 1 },
    { key: '0.2.0', total: 1, connected: 1 },
  ],
  generatedAt: '2026-01-01T00:59:30.000Z',
};

type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => void;

export function agentRegistryHandlers(): grpc.UntypedServiceImplementation {
  const countAgents: Unary<agentHubV1.ListAgentsRequest, agentHubV1.CountAgentsResponse> = (call, cb) => {
    seenCountRequests.push(call.request);
    cb(null, { total: COUNTED_AGENTS });
  };
  const summarizeAgents: Unary<agentHubV1.SummarizeAgentsRequest, agentHubV1.SummarizeAgentsResponse> = (_call, cb) => cb(null, AGENT_SUMMARY);
  // Not called by the gateway: one empty page, so the service is whole.
  const selectAgents = (call: grpc.ServerWritableStream<agentHubV1.SelectAgentsRequest, agentHubV1.SelectAgentsResponse>) => {
    call.write({ agents: [] });
    call.end();
  };
  return { countAgents, summarizeAgents, selectAgents };
}
