// Reads one command's trace (spans as the test-harness OTLP receiver gives them) into hops:
// the gaps and spans between the gateway's POST and the gateway seeing the COMPLETED event.
// Used by bench/command-hops.mjs. A hop whose spans are missing is NaN (left out of its figure).
// Also the live-stream client the command benchmarks time completions with.
import WebSocket from 'ws';

export const HOPS = [
  { key: 'gatewayIn', label: 'gateway: auth + validation, until the gRPC call' },
  { key: 'grpcIn', label: 'gRPC gateway → command (client start → server start)' },
  { key: 'targets', label: 'command: target lookup (SelectAgents to agent-hub)' },
  { key: 'insert', label: 'command: store command + executions (one statement; before: BEGIN → COMMIT)' },
  { key: 'queueAdd', label: 'command: queue add (BullMQ)' },
  { key: 'submitRest', label: 'command: rest of the submit (validation, answer)' },
  { key: 'gatewayOut', label: 'gateway: after the gRPC answer (audit, response)' },
  { key: 'post', label: '= POST as the gateway served it' },
  { key: 'pickup', label: 'queue pick-up (job added → dispatch starts)' },
  { key: 'dispatchPre', label: 'dispatch: read + attempt, until the NATS request' },
  { key: 'natsToHub', label: 'NATS request → hub handles it' },
  { key: 'hubToAgent', label: 'hub → agent → RUNNING back at the hub' },
  { key: 'dispatchPost', label: 'dispatch: after the reply (DISPATCHED, deadline)' },
  { key: 'agentRun', label: 'RUNNING → COMPLETED at the hub (the agent)' },
  { key: 'jsPublish', label: 'hub: JetStream publish of the RESULT' },
  { key: 'jsToCommand', label: 'JetStream → command consumer' },
  { key: 'resultWrite', label: 'command: result applied (read, write, rate control)' },
  { key: 'eventToGateway', label: 'execution.updated → gateway' },
  { key: 'total', label: '= POST start → COMPLETED event at the gateway' },
];

const SUBMIT = 'grpc.fleetplane.command.v1.CommandService/SubmitCommand';

export function hopsOfTrace(spans) {
  const root = spans.find((s) => s.serviceName === 'gateway' && !s.parentSpanId && s.name.startsWith('POST') && s.name.includes('/commands'));
  if (!root) return undefined;
  const children = new Map();
  for (const s of spans) {
    if (!s.parentSpanId) continue;
    let list = children.get(s.parentSpanId);
    if (!list) children.set(s.parentSpanId, (list = []));
    list.push(s);
  }
  const kids = (s) => children.get(s?.spanId) ?? [];
  const descendants = (s) => kids(s).flatMap((c) => [c, ...descendants(c)]);
  const first = (list, pred) => list.filter(pred).sort((a, b) => a.startMs - b.startMs)[0];

  const gwClient = first(spans, (s) => s.serviceName === 'gateway' && s.name === SUBMIT);
  const server = first(kids(gwClient), (s) => s.serviceName === 'command' && s.name === SUBMIT);
  const underServer = descendants(server);
  const select = first(underServer, (s) => s.name.endsWith('/SelectAgents') && s.serviceName === 'command');
  // One statement (WITH … INSERT) since issue #14; BEGIN … COMMIT before, and for big commands.
  const begin = first(kids(server), (s) => s.name.startsWith('pg.query:BEGIN') || s.name.startsWith('pg.query:WITH'));
  const commit = begin?.name.startsWith('pg.query:WITH') ? begin : first(kids(server), (s) => s.name.startsWith('pg.query:COMMIT'));
  const evals = kids(server)
    .filter((s) => s.name === 'evalsha' || s.name.startsWith('addBulk') || s.name.startsWith('EVALSHA'))
    .sort((a, b) => a.startMs - b.startMs);
  const dispatch = first(spans, (s) => s.name === 'command.dispatch');
  const natsPublish = first(descendants(dispatch), (s) => s.name.startsWith('publish fleet.agents.'));
  const hubProcess = first(kids(natsPublish), (s) => s.serviceName === 'agent-hub');
  const commandSend = first(spans, (s) => s.name === 'agent COMMAND send');
  const result = (status) => first(spans, (s) => s.name === 'agent RESULT receive' && s.attributes['fleetplane.status'] === status);
  const running = result('RUNNING');
  const completed = result('COMPLETED');
  const hubPublish = first(kids(completed), (s) => s.name.startsWith('publish fleet.results'));
  const cmdProcess = first(kids(hubPublish), (s) => s.serviceName === 'command');
  const eventPublish = first(descendants(cmdProcess), (s) => s.name.startsWith('publish fleet.events.execution.updated'));
  const gwEvent = first(kids(eventPublish), (s) => s.serviceName === 'gateway');
  const commandId = commandSend?.attributes['fleetplane.command_id'];

  const gap = (a, b) => (a && b ? b - a : NaN);
  const dur = (s) => (s ? s.endMs - s.startMs : NaN);
  const queueAdd = evals.length ? evals.at(-1).endMs - evals[0].startMs : NaN;
  const values = {
    gatewayIn: gap(root.startMs, gwClient?.startMs),
    grpcIn: gap(gwClient?.startMs, server?.startMs),
    targets: dur(select),
    insert: gap(begin?.startMs, commit?.endMs),
    queueAdd,
    submitRest: dur(server) - (dur(select) || 0) - (gap(begin?.startMs, commit?.endMs) || 0) - (queueAdd || 0),
    gatewayOut: gap(gwClient?.endMs, root.endMs),
    post: dur(root),
    pickup: gap(evals.at(-1)?.endMs, dispatch?.startMs),
    dispatchPre: gap(dispatch?.startMs, natsPublish?.startMs),
    natsToHub: gap(natsPublish?.startMs, hubProcess?.startMs),
    hubToAgent: gap(commandSend?.startMs, running?.startMs),
    dispatchPost: gap(natsPublish?.endMs, dispatch?.endMs),
    agentRun: gap(running?.startMs, completed?.startMs),
    jsPublish: dur(hubPublish),
    jsToCommand: gap(hubPublish?.startMs, cmdProcess?.startMs),
    resultWrite: dur(cmdProcess),
    eventToGateway: gap(eventPublish?.startMs, gwEvent?.startMs),
    total: gap(root.startMs, gwEvent?.startMs),
  };
  return { commandId, values };
}

/** The live stream, subscribed to everything: resolves `finished(commandId)` when its execution is final. */
export async function openStream(gatewayUrl, token, shared) {
  const ws = new WebSocket(`${gatewayUrl.replace('http', 'ws')}/api/v1/stream`);
  // commandId -> { at, state } seen before anyone asked, and commandId -> waiter. A stream opened
  // with another stream's `shared` feeds the same maps: a long run swaps in a fresh socket before
  // its access token (and so the socket) expires.
  const { done, waiters } = shared ?? { done: new Map(), waiters: new Map() };
  ws.on('message', (data) => {
    const f = JSON.parse(String(data));
    if (f.type !== 'execution.updated' || !['COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'EXPIRED', 'SKIPPED'].includes(f.state)) return;
    const seen = { at: performance.now(), state: f.state };
    const w = waiters.get(f.commandId);
    if (w) {
      waiters.delete(f.commandId);
      w(seen);
    } else done.set(f.commandId, seen);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const ready = (type) => new Promise((resolve) => ws.on('message', (d) => JSON.parse(String(d)).type === type && resolve()));
  const isReady = ready('ready');
  ws.send(JSON.stringify({ type: 'auth', token }));
  await isReady;
  const subscribed = ready('subscribed');
  ws.send(JSON.stringify({ type: 'subscribe' }));
  await subscribed;
  return {
    shared: { done, waiters },
    finished(commandId) {
      const seen = done.get(commandId);
      if (seen) {
        done.delete(commandId);
        return Promise.resolve(seen);
      }
      return new Promise((resolve) => waiters.set(commandId, resolve));
    },
    close: () => ws.close(),
  };
}
