import * as grpc from '@grpc/grpc-js';
import { agentHubV1, commandV1, serveGrpc } from '@fleetplane/contracts/grpc';
import { agentAccessHandlers } from './fake-agent-access.js';
import { agentRegistryHandlers } from './fake-agent-registry.js';
import { protoExecution as execution, protoCommand, protoSummary } from './proto-builders.js';

// Real gRPC servers built from the proto files with canned answers: command and agent-hub
// are other engineers' services, so the gateway's integration test talks to these instead.

export interface FakeServer {
  address: string;
  stop(): Promise<void>;
}

type Handler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => void;

const fail = (code: grpc.status, details: string) => ({ code, details, name: 'Error', message: details }) as grpc.ServiceError;

export const KNOWN_AGENT = 'agent-1';

const agent = (id: string, site = 'lab'): agentHubV1.Agent => ({
  id,
  site,
  os: 'linux',
  kernel: '6.1.0',
  version: '0.1.0',
  capabilities: ['exec'],
  containerEngine: '',
  labels: { rack: 'r1' },
  connected: true,
  lastSeenAt: '2026-01-01T00:00:00.000Z',
  enrolledAt: '2026-01-01T00:00:00.000Z',
  connectedAt: '2026-01-01T00:00:00.000Z',
  hubInstanceId: 'hub-a',
  protocolVersion: 1,
});

export const ENROLL_TOKEN = 'agent-credential-0123456789abcdef';

/** What a peer's gRPC exception filter answers while its database, queue or NATS is away. */
const dependencyDown = () => fail(grpc.status.UNAVAILABLE, 'a dependency (database, queue or NATS) is unavailable; retry later');

/** GetAgent: agent-1, UNAVAILABLE for agent-unavailable, else NOT_FOUND. EnrollAgent: ALREADY_EXISTS for agent-busy. */

export async function startFakeAgentHub(): Promise<FakeServer> {
  const enrollAgent: Handler<agentHubV1.EnrollAgentRequest, agentHubV1.EnrollAgentResponse> = (call, cb) =>
    call.request.agentId === 'agent-busy'
      ? cb(fail(grpc.status.ALREADY_EXISTS, 'agent agent-busy is being enrolled by another request'))
      : cb(null, { agent: { ...agent(call.request.agentId, call.request.site), labels: call.request.labels }, token: ENROLL_TOKEN });
  const getAgent: Handler<agentHubV1.GetAgentRequest, agentHubV1.GetAgentResponse> = (call, cb) => {
    if (call.request.agentId === KNOWN_AGENT) return cb(null, { agent: agent(KNOWN_AGENT) });
    if (call.request.agentId === 'agent-unavailable') return cb(dependencyDown());
    cb(fail(grpc.status.NOT_FOUND, `agent ${call.request.agentId} not found`));
  };
  const listAgents: Handler<agentHubV1.ListAgentsRequest, agentHubV1.ListAgentsResponse> = (_call, cb) =>
    cb(null, { agents: [agent(KNOWN_AGENT)], nextPageToken: '' });
  return serveGrpc(
    'agentHub',
    { enrollAgent, getAgent, listAgents },
    {
      [agentHubV1.FLEET_STATISTICS_SERVICE_NAME]: { getFleetStatistics },
      [agentHubV1.AGENT_ACCESS_SERVICE_NAME]: agentAccessHandlers(KNOWN_AGENT),
      [agentHubV1.AGENT_REGISTRY_SERVICE_NAME]: agentRegistryHandlers(),
    },
  );
}

export interface SeenSubmit {
  request: commandV1.SubmitCommandRequest;
  traceparent: string | undefined;
}

const S = commandV1.CommandState;

const command = protoCommand;

/**
 * SubmitCommand: NOT_FOUND for any target but agent-1, INVALID_ARGUMENT naming params.cwd
 * for a relative cwd, INVALID_ARGUMENT naming the selector for site "mars", else a queued
 * command. GetCommand: cmd-done (exit 0), cmd-running (no exit code yet), cmd-crash
 * (INTERNAL with a message that must not reach the client), cmd-unavailable (UNAVAILABLE,
 * as while command's database is down). ListExecutions, GetExecutionOutput, Cancel* and
 * RetryCommand answer for cmd-done (retry: cmd-running has nothing to retry).
 */
export async function startFakeCommand(seen: SeenSubmit[]): Promise<FakeServer> {
  const submitCommand: Handler<commandV1.SubmitCommandRequest, commandV1.SubmitCommandResponse> = (call, cb) => {
    const req = call.request;
    seen.push({ request: req, traceparent: call.metadata.get('traceparent')[0]?.toString() });
    const unknown = req.targetAgentIds.find((id) => id !== KNOWN_AGENT);
    if (unknown) return cb(fail(grpc.status.NOT_FOUND, `agent ${unknown} not found`));
    if (req.selector?.site === 'mars') return cb(fail(grpc.status.INVALID_ARGUMENT, 'selector: matches no agent'));
    const params = JSON.parse(req.paramsJson) as { cwd?: string };
    if (params.cwd && !params.cwd.startsWith('/')) return cb(fail(grpc.status.INVALID_ARGUMENT, 'params.cwd: must be an absolute path'));
    cb(null, {
      command: command({
        id: `cmd-${seen.length}`,
        verb: req.verb,
        paramsJson: req.paramsJson,
        priority: req.priority,
        requestedBy: req.requestedBy,
        timeoutSeconds: req.timeoutSeconds || 60,
        maxConcurrency: req.maxConcurrency?.count ?? 0,
        ...(req.selector ? { selector: req.selector } : {}),
        summary: protoSummary({ targets: req.selector ? 3 : req.targetAgentIds.length }),
      }),
    });
  };
  const getCommand: Handler<commandV1.GetCommandRequest, commandV1.GetCommandResponse> = (call, cb) => {
    switch (call.request.commandId) {
      case 'cmd-done':
        return cb(null, {
          command: command({
            id: 'cmd-done',
            state: S.COMMAND_STATE_COMPLETED,
            priority: commandV1.Priority.PRIORITY_HIGH,
            summary: protoSummary({ state: 'COMPLETED', exitCode: 0 }),
          }),
        });
      case 'cmd-running':
        return cb(null, {
          command: command({ id: 'cmd-running', state: S.COMMAND_STATE_RUNNING, summary: protoSummary({ state: 'RUNNING' }) }),
        });
      case 'cmd-crash':
        return cb(fail(grpc.status.INTERNAL, 'pq: password authentication failed for user "command_rw"'));
      case 'cmd-unavailable':
        return cb(dependencyDown());
      default:
        return cb(fail(grpc.status.NOT_FOUND, `command ${call.request.commandId} not found`));
    }
  };
  const listCommands: Handler<commandV1.ListCommandsRequest, commandV1.ListCommandsResponse> = (call, cb) =>
    cb(null, {
      commands: [command({ id: 'cmd-done', state: S.COMMAND_STATE_COMPLETED, summary: protoSummary({ state: 'COMPLETED' }) })],
      nextPageToken: '',
    });
  const doneExecution = execution({
    commandId: 'cmd-done',
    state: S.COMMAND_STATE_COMPLETED,
    exitCode: 0,
    stdout: 'hello\n',
    stdoutBytes: 6,
    attempts: 1,
    dispatchedAt: '2026-01-01T00:00:00.100Z',
    startedAt: '2026-01-01T00:00:00.200Z',
    finishedAt: '2026-01-01T00:00:00.300Z',
  });
  const onlyDone =
    <Req extends { commandId: string }, Res>(answer: (req: Req) => Res): Handler<Req, Res> =>
    (call, cb) =>
      call.request.commandId === 'cmd-done' ? cb(null, answer(call.request)) : cb(fail(grpc.status.NOT_FOUND, `command ${call.request.commandId} not found`));
  const listExecutions = onlyDone<commandV1.ListExecutionsRequest, commandV1.ListExecutionsResponse>((req) => ({
    executions: req.state === S.COMMAND_STATE_FAILED ? [] : [doneExecution],
    nextPageToken: '',
  }));
  const getExecutionOutput: Handler<commandV1.GetExecutionOutputRequest, commandV1.GetExecutionOutputResponse> = (call, cb) => {
    const { commandId, executionId, offset } = call.request;
    if (commandId !== 'cmd-done' || executionId !== 'ex-1')
      return cb(fail(grpc.status.NOT_FOUND, `execution ${executionId} of command ${commandId} not found`));
    const all = Buffer.from(call.request.stream === commandV1.OutputStream.OUTPUT_STREAM_STDERR ? '' : 'hello\n');
    const from = Math.min(Number(offset), all.length);
    cb(null, { data: all.subarray(from), offset: from, nextOffset: all.length, storedBytes: all.length, truncated: false, complete: true });
  };
  const cancelCommand = onlyDone<commandV1.CancelCommandRequest, commandV1.CancelCommandResponse>((req) => ({
    command: command({
      id: 'cmd-done',
      state: S.COMMAND_STATE_CANCELLED,
      endReason: `cancelled by ${req.requestedBy}`,
      summary: protoSummary({ state: 'CANCELLED' }),
    }),
    cancelled: 1,
    stopping: 0,
  }));
  const cancelExecution = onlyDone<commandV1.CancelExecutionRequest, commandV1.CancelExecutionResponse>(() => ({
    execution: execution({ commandId: 'cmd-done', state: S.COMMAND_STATE_CANCELLED, error: 'cancelled' }),
  }));
  const retryCommand: Handler<commandV1.RetryCommandRequest, commandV1.RetryCommandResponse> = (call, cb) => {
    if (call.request.commandId === 'cmd-running')
      return cb(fail(grpc.status.FAILED_PRECONDITION, 'command cmd-running has no failed, timed-out or expired executions to retry'));
    if (call.request.commandId !== 'cmd-done') return cb(fail(grpc.status.NOT_FOUND, `command ${call.request.commandId} not found`));
    cb(null, { command: command({ id: 'cmd-retry', retryOf: 'cmd-done', requestedBy: call.request.requestedBy }) });
  };
  return serveGrpc(
    'command',
    { submitCommand, getCommand, listCommands, listExecutions, getExecutionOutput, cancelCommand, cancelExecution, retryCommand },
    { [commandV1.COMMAND_STATISTICS_SERVICE_NAME]: { getCommandStatistics } },
  );
}

// Statistics (GET /statistics): canned answers, and a switch a test flips to make a peer
// answer UNAVAILABLE as its exception filter does while its database is down.
export const statisticsUnavailable = new Set<'agent-hub' | 'command'>();

export const FLEET_STATISTICS: agentHubV1.GetFleetStatisticsResponse = {
  agents: { total: 3, connected: 2 },
  bySite: [
    { key: 'lab', total: 2, connected: 2 },
    { key: '', total: 1, connected: 0 },
  ],
  byOs: [{ key: 'linux', total: 3, connected: 2 }],
  generatedAt: '2026-01-01T00:59:30.000Z',
};

/** 60 minutes from 00:00, zero-filled by command: executions finished at 00:05 (2) and 00:59 (1) only. Only COMPLETED and FAILED are sent. */
export const COMMAND_STATISTICS: commandV1.GetCommandStatisticsResponse = {
  lastHour: {
    total: 2,
    byState: [
      { state: S.COMMAND_STATE_COMPLETED, count: 1 },
      { state: S.COMMAND_STATE_FAILED, count: 1 },
    ],
  },
  lastDay: { total: 5, byState: [{ state: S.COMMAND_STATE_COMPLETED, count: 5 }] },
  executionsPerMinute: Array.from({ length: 60 }, (_, i) => ({
    minute: new Date(Date.parse('2026-01-01T00:00:00.000Z') + i * 60_000).toISOString(),
    count: i === 5 ? 2 : i === 59 ? 1 : 0,
  })),
  generatedAt: '2026-01-01T00:59:30.000Z',
};

const getFleetStatistics: Handler<agentHubV1.GetFleetStatisticsRequest, agentHubV1.GetFleetStatisticsResponse> = (_call, cb) =>
  statisticsUnavailable.has('agent-hub') ? cb(dependencyDown()) : cb(null, FLEET_STATISTICS);
const getCommandStatistics: Handler<commandV1.GetCommandStatisticsRequest, commandV1.GetCommandStatisticsResponse> = (_call, cb) =>
  statisticsUnavailable.has('command') ? cb(dependencyDown()) : cb(null, COMMAND_STATISTICS);
