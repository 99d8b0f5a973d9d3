import { WebSocket } from 'ws';
import {
  AgentCloseCode,
  AgentFeature,
  decodeHubFrame,
  frame,
  hasFeature,
  MAX_OUTPUT_CHUNK_BYTES,
  REFERENCE_AGENT_FEATURES,
  wireResultStatus,
  wsDataToText,
  type AgentToHub,
  type CancelFrame,
  type CommandFrame,
  type HelloAck,
  type ResultFrame,
} from '@fleetplane/contracts';
import { upgradeRefusal, type BackoffPolicy } from '@fleetplane/agent';
import type { AgentCredential } from './credentials.js';
import { bump, emptySummary, type FleetSummary } from './fleet-summary.js';
import { newReconnectSchedule, type ReconnectSchedule } from './sim-backoff.js';
import { simOptionsSchema, type SimOptions, type SimOptionsInput } from './sim-options.js';
import { simulatedInventory } from './simulated-inventory.js';
import { TimerWheel } from './timer-wheel.js';

type ResultBody = Omit<ResultFrame, 'v' | 'id' | 'ts'>;

/** Per agent: a socket and a few numbers. Everything periodic lives in the shared wheel. */
interface SimAgent {
  readonly index: number;
  readonly cred: AgentCredential;
  ws?: WebSocket;
  /** Bumped on every new socket, so wheel entries of an older socket are ignored when they fire. */
  gen: number;
  /** The reference agent's backoff state; made at the first close (most agents of a calm run never need one). */
  schedule?: ReconnectSchedule;
  established: boolean;
  everConnected: boolean;
  gaveUp: boolean;
  heartbeatMs: number;
  telemetryMs: number;
  lastPongAt: number;
  /** RESULTs that found no open session, sent after the next HELLO_ACK (a hub without "result-ack"). */
  queued?: string[];
  /** The session's features from HELLO_ACK, as bits (FEATURE_*). */
  features: number;
  /** Commands whose final RESULT is still to come, by execution id (only while some are in flight). */
  inflight?: Map<string, NodeJS.Timeout>;
  /** Final RESULTs the hub has not acknowledged (RESULT_ACK), re-sent after each HELLO_ACK, by execution id. */
  unacked?: Map<string, string>;
}

const FEATURE_OUTPUT = 1;
const FEATURE_RESULT_ACK = 2;
const FEATURE_CANCEL = 4;

type Task = { agent: SimAgent; gen: number; kind: 'connect' | 'heartbeat' | 'telemetry' | 'ack-timeout' };

/** Retrying cannot fix these, so the real agent stops, and so does a simulated one. */
const FATAL_CLOSE: Record<number, string> = {
  [AgentCloseCode.Unauthorized]: 'unauthorized',
  [AgentCloseCode.Revoked]: 'revoked',
  [AgentCloseCode.UnsupportedVersion]: 'unsupported_version',
};

/**
 * N simulated agents in one process, each speaking the real agent protocol (the contracts codec and
 * messages) over its own WebSocket: HELLO with a plausible inventory, heartbeats (with a ping, as the
 * reference agent does) and telemetry at their intervals, COMMANDs answered with RUNNING and then a
 * RESULT after a configurable latency, output size and failure rate, and reconnects with the
 * reference agent's backoff. Heartbeats, telemetry, HELLO_ACK timeouts and reconnects share one
 * timer wheel, so an agent costs its socket and one small object.
 */
export class FleetSimulator {
  readonly options: SimOptions;
  private readonly agents: SimAgent[];
  private readonly stats: FleetSummary;
  private readonly wheel: TimerWheel<Task>;
  private startedAt = 0;
  private stopping = false;
  private connectedNow = 0;
  private everConnected = 0;
  private readonly allConnectedWaiters: Array<() => void> = [];
  private readonly backoff: Partial<BackoffPolicy>;

  constructor(credentials: AgentCredential[], options: SimOptionsInput) {
    this.options = simOptionsSchema.parse(options);
    // Only the fields given: an undefined one must not override the reference agent's default.
    this.backoff = Object.fromEntries(Object.entries(this.options.backoff).filter(([, v]) => v !== undefined));
    this.agents = credentials.map((cred, index) => ({
      index,
      cred,
      gen: 0,
      established: false,
      everConnected: false,
      gaveUp: false,
      heartbeatMs: 0,
      telemetryMs: 0,
      lastPongAt: 0,
      features: 0,
    }));
    this.stats = emptySummary(credentials.length);
    this.wheel = new TimerWheel<Task>((t) => this.runTask(t), this.options.tickMs);
  }

  /** Starts connecting every agent, spread at `connectPerSecond`. */
  start(): void {
    this.startedAt = Date.now();
    this.wheel.start();
    const spacingMs = 1_000 / this.options.connectPerSecond;
    for (const agent of this.agents) {
      const delay = agent.index * spacingMs;
      if (delay < this.options.tickMs) this.connect(agent);
      else this.wheel.after(delay, { agent, gen: agent.gen, kind: 'connect' });
    }
  }

  summary(): FleetSummary {
    return { ...this.stats, connected: this.connectedNow, everConnected: this.everConnected };
  }

  /** Resolves once every agent has held a session at least once (rejects after `timeoutMs`). */
  whenAllConnected(timeoutMs: number): Promise<void> {
    if (this.everConnected === this.agents.length) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.everConnected}/${this.agents.length} agents connected after ${timeoutMs} ms`)), timeoutMs);
      this.allConnectedWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Closes every socket (1000) and stops the wheel; resolves when all are closed or after `graceMs`. */
  async stop(graceMs = 5_000): Promise<FleetSummary> {
    this.stopping = true;
    this.wheel.stop();
    const closing = this.agents
      .map((a) => a.ws)
      .filter((ws): ws is WebSocket => ws !== undefined && ws.readyState !== WebSocket.CLOSED)
      .map((ws) => new Promise<void>((resolve) => (ws.once('close', () => resolve()), ws.close(1000, 'simulator stopping'))));
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, graceMs).unref())]);
    for (const a of this.agents) a.ws?.terminate();
    return this.summary();
  }

  private runTask(t: Task): void {
    const { agent } = t;
    if (this.stopping || t.gen !== agent.gen) return;
    switch (t.kind) {
      case 'connect':
        return this.connect(agent);
      case 'ack-timeout':
        if (!agent.established) agent.ws?.terminate();
        return;
      case 'heartbeat':
        return this.heartbeat(agent, t);
      case 'telemetry':
        return this.telemetry(agent, t);
    }
  }

  private connect(agent: SimAgent): void {
    if (this.stopping || agent.gaveUp) return;
    const gen = ++agent.gen;
    this.stats.connectAttempts++;
    if (agent.schedule) this.stats.reconnects++;
    const { localAddresses } = this.options;
    const localAddress = localAddresses.length ? localAddresses[agent.index % localAddresses.length] : undefined;
    const ws = new WebSocket(this.options.hubUrl, localAddress ? { localAddress } : {});
    agent.ws = ws;
    agent.established = false;
    this.wheel.after(this.options.helloAckTimeoutMs, { agent, gen, kind: 'ack-timeout' });
    // An upgrade the hub refused (503 + hint) is the real agent's 4429; counted under its HTTP status.
    let refusal: { status: number; code: number; reason: string } | undefined;
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      refusal = { status, ...upgradeRefusal(status, res.headers) };
      ws.terminate();
    });
    ws.on('open', () => {
      const inventory = simulatedInventory(agent.index, agent.cred.site);
      ws.send(frame<AgentToHub>({ type: 'HELLO', agentId: agent.cred.id, token: agent.cred.token, inventory, features: [...REFERENCE_AGENT_FEATURES] }));
    });
    ws.on('pong', () => (agent.lastPongAt = Date.now()));
    ws.on('message', (data: Buffer) => this.received(agent, gen, wsDataToText(data)));
    ws.on('error', (err) => refusal || bump(this.stats.socketErrors, err.message.slice(0, 80)));
    ws.on('close', (code: number, reason: Buffer) =>
      refusal ? this.closed(agent, gen, refusal.code, refusal.reason, refusal.status) : this.closed(agent, gen, code, reason.toString()),
    );
  }

  private received(agent: SimAgent, gen: number, text: string): void {
    const decoded = decodeHubFrame(text);
    if (!decoded.ok) {
      this.stats.invalidFrames++;
      return;
    }
    const msg = decoded.message;
    switch (msg.type) {
      case 'HELLO_ACK':
        return this.acknowledged(agent, gen, msg);
      case 'COMMAND':
        return this.command(agent, msg);
      case 'CANCEL':
        return this.cancel(agent, msg);
      case 'RESULT_ACK':
        if (agent.unacked?.delete(msg.executionId)) this.stats.resultAcks++;
        if (agent.unacked?.size === 0) agent.unacked = undefined;
        return;
      case 'ERROR':
        bump(this.stats.hubErrors, msg.code);
        // As the reference agent does: a final RESULT the hub could not store (NATS failing over) is sent again.
        if (msg.code === 'NOT_STORED' && msg.replyTo) this.resendNotStored(agent, msg.replyTo);
        return;
      case 'HEARTBEAT':
        return;
    }
  }

  private acknowledged(agent: SimAgent, gen: number, ack: HelloAck): void {
    agent.established = true;
    agent.lastPongAt = Date.now();
    agent.features =
      (hasFeature(ack.features, AgentFeature.Output) ? FEATURE_OUTPUT : 0) |
      (hasFeature(ack.features, AgentFeature.ResultAck) ? FEATURE_RESULT_ACK : 0) |
      (hasFeature(ack.features, AgentFeature.Cancel) ? FEATURE_CANCEL : 0);
    agent.heartbeatMs = this.options.heartbeatMs || ack.heartbeatIntervalMs;
    const t = this.options.telemetryMs;
    agent.telemetryMs = t === -1 ? 0 : t || ack.telemetryIntervalMs;
    this.stats.helloAcks++;
    this.connectedNow++;
    if (!agent.everConnected) {
      agent.everConnected = true;
      this.everConnected++;
      if (this.everConnected === this.agents.length) {
        this.stats.allConnectedAfterMs = Date.now() - this.startedAt;
        for (const w of this.allConnectedWaiters.splice(0)) w();
      }
    }
    this.wheel.after(agent.heartbeatMs, { agent, gen, kind: 'heartbeat' });
    if (agent.telemetryMs > 0) this.wheel.after(agent.telemetryMs, { agent, gen, kind: 'telemetry' });
    for (const text of agent.queued?.splice(0) ?? []) agent.ws?.send(text);
    for (const text of agent.unacked?.values() ?? []) {
      this.stats.resultsResent++;
      agent.ws?.send(text);
    }
    // A hub that does not acknowledge (an older one) had its one delivery.
    if (!(agent.features & FEATURE_RESULT_ACK)) agent.unacked = undefined;
  }

  private heartbeat(agent: SimAgent, t: Task): void {
    const ws = agent.ws;
    if (!agent.established || !ws || ws.readyState !== WebSocket.OPEN) return;
    // A hub that stopped answering pings is a dead connection, not a quiet one (as HubClient decides).
    if (Date.now() - agent.lastPongAt > 3 * agent.heartbeatMs) {
      ws.terminate();
      return;
    }
    ws.ping();
    ws.send(frame<AgentToHub>({ type: 'HEARTBEAT' }));
    this.stats.heartbeatsSent++;
    this.wheel.after(agent.heartbeatMs, t);
  }

  private telemetry(agent: SimAgent, t: Task): void {
    const ws = agent.ws;
    if (!agent.established || !ws || ws.readyState !== WebSocket.OPEN) return;
    const load = 0.2 + (agent.index % 10) / 10;
    const sample = {
      cpuPercent: (agent.index * 7 + this.stats.telemetrySent) % 100,
      memoryUsedBytes: 2 * 1024 ** 3,
      memoryTotalBytes: 8 * 1024 ** 3,
      load: [load, load, load] as [number, number, number],
      diskUsedBytes: 40 * 1024 ** 3,
      diskTotalBytes: 100 * 1024 ** 3,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1_000),
    };
    ws.send(frame<AgentToHub>({ type: 'TELEMETRY', sample }));
    this.stats.telemetrySent++;
    this.wheel.after(agent.telemetryMs, t);
  }

  private command(agent: SimAgent, cmd: CommandFrame): void {
    this.stats.commandsReceived++;
    const id = cmd.executionId;
    // A repeated dispatch of an execution this agent has: never run twice; a finished one's result again.
    if (agent.inflight?.has(id)) return;
    const unacked = agent.unacked?.get(id);
    if (unacked) return void this.sendIfOpen(agent, unacked);
    const behaviour = this.options.command;
    const base = { type: 'RESULT', executionId: id, ...(cmd.trace ? { trace: cmd.trace } : {}) } as const;
    this.sendResult(agent, { ...base, status: 'RUNNING' });
    const fail = Math.random() < behaviour.failureRate;
    // Commands are few next to heartbeats, so each may have a timer of its own.
    const timer = setTimeout(() => {
      this.forget(agent, id);
      if (this.stopping) return;
      this.stats.commandsAnswered++;
      if (fail) {
        this.stats.commandsFailed++;
        this.sendResult(agent, { ...base, status: 'FAILED', exitCode: 1, stdout: '', stderr: `simulated failure of ${cmd.verb} on ${agent.cred.id}\n` });
        return;
      }
      const stdout = simulatedOutput(agent.cred.id, cmd.verb, behaviour.outputBytes);
      const streamed = (agent.features & FEATURE_OUTPUT) !== 0;
      if (streamed) this.sendOutput(agent, id, stdout);
      this.sendResult(agent, {
        ...base,
        status: 'COMPLETED',
        exitCode: 0,
        // With "output" the full text went as OUTPUT; the RESULT keeps its first line as the summary.
        stdout: streamed ? stdout.slice(0, stdout.indexOf('\n') + 1) : stdout,
        stderr: '',
        ...(streamed ? { truncated: stdout.length > stdout.indexOf('\n') + 1, outputBytes: { stdout: Buffer.byteLength(stdout), stderr: 0 } } : {}),
      });
    }, behaviour.latencyMs);
    (agent.inflight ??= new Map()).set(id, timer);
  }

  /** CANCEL of a command in flight: its timer is dropped and it ends CANCELLED; anything else is ignored. */
  private cancel(agent: SimAgent, c: CancelFrame): void {
    const timer = agent.inflight?.get(c.executionId);
    if (!timer) return;
    clearTimeout(timer);
    this.forget(agent, c.executionId);
    this.stats.commandsCancelled++;
    this.sendResult(agent, { type: 'RESULT', executionId: c.executionId, status: wireResultStatus('CANCELLED', agent.features !== 0), error: 'cancelled' });
  }

  private forget(agent: SimAgent, executionId: string): void {
    agent.inflight?.delete(executionId);
    if (agent.inflight?.size === 0) agent.inflight = undefined;
  }

  private sendOutput(agent: SimAgent, executionId: string, text: string): void {
    const bytes = Buffer.from(text);
    for (let at = 0, seq = 0; at < bytes.length; at += MAX_OUTPUT_CHUNK_BYTES, seq++) {
      const data = bytes.subarray(at, at + MAX_OUTPUT_CHUNK_BYTES).toString('base64');
      this.sendIfOpen(agent, frame<AgentToHub>({ type: 'OUTPUT', executionId, stream: 'stdout', seq, offset: at, data }));
    }
  }

  private sendIfOpen(agent: SimAgent, text: string): boolean {
    if (!agent.established || agent.ws?.readyState !== WebSocket.OPEN) return false;
    agent.ws.send(text);
    return true;
  }

  /** The unacknowledged final RESULT whose frame id is `frameId`, sent again half a second later. */
  private resendNotStored(agent: SimAgent, frameId: string): void {
    const marker = `"id":"${frameId}"`;
    for (const text of agent.unacked?.values() ?? []) {
      if (!text.includes(marker)) continue;
      this.stats.resultsResent++;
      setTimeout(() => this.sendIfOpen(agent, text), 500).unref();
      return;
    }
  }

  /** RUNNING goes live or not at all; a final RESULT is kept until RESULT_ACK (or, for a hub without it, until sent). */
  private sendResult(agent: SimAgent, body: ResultBody): void {
    const text = frame<AgentToHub>(body);
    const final = body.status !== 'RUNNING';
    if (final && agent.features & FEATURE_RESULT_ACK) (agent.unacked ??= new Map()).set(body.executionId, text);
    if (this.sendIfOpen(agent, text) || !final) return;
    if (!(agent.features & FEATURE_RESULT_ACK)) (agent.queued ??= []).push(text);
  }

  /** `httpStatus`: the upgrade was answered with it instead of 101 (counted under it, scheduled as `code`). */
  private closed(agent: SimAgent, gen: number, code: number, reason: string, httpStatus?: number): void {
    if (gen !== agent.gen) return;
    const wasEstablished = agent.established;
    agent.established = false;
    if (wasEstablished) {
      this.connectedNow--;
      bump(this.stats.droppedByCode, code);
    } else {
      bump(this.stats.refusedByCode, httpStatus ?? code);
    }
    if (this.stopping) return;
    const fatal = FATAL_CLOSE[code];
    if (fatal) {
      agent.gaveUp = true;
      bump(this.stats.gaveUp, fatal);
      return;
    }
    agent.schedule ??= newReconnectSchedule(this.backoff);
    const delay = agent.schedule.afterClose(code, reason, wasEstablished);
    this.wheel.after(delay, { agent, gen, kind: 'connect' });
    // The reconnect task carries the old generation on purpose: connect() is the one place that bumps it.
  }
}

/** `bytes` of stdout whose first line names the agent and verb, so a test can tell whose output it got. */
export function simulatedOutput(agentId: string, verb: string, bytes: number): string {
  const head = `simulated ${verb} on ${agentId}\n`;
  if (bytes <= head.length) return head.slice(0, bytes);
  return head + 'x'.repeat(bytes - head.length - 1) + '\n';
}
