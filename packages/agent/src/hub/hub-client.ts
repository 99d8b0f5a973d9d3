import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import {
  AgentCloseCode,
  AgentErrorCode,
  AgentFeature,
  decodeHubFrame,
  frame,
  hasFeature,
  parseUpgradeRetryAfterMs,
  tryAgainLaterReason,
  type AgentToHub,
  type CancelFrame,
  type CommandFrame,
  type Hello,
  type HelloAck,
  wsDataToText,
  type TelemetryFrame,
} from '@fleetplane/contracts';
import type { Logger } from 'pino';
import type { OutputBody, ResultBody, SessionFeatures, SessionLink } from '../exec/session-link.js';
import { DEFAULT_BACKOFF, ReconnectSchedule, type BackoffPolicy } from './backoff.js';
import { RecentFrames } from './recent-frames.js';

/** The hub's ERROR code for a frame it could not store (see apps/agent-hub). */
const RESEND_DELAY_MS = 1_000;

export interface HubClientOptions {
  url: string;
  agentId: string;
  token: string;
  inventory: Hello['inventory'];
  sample: () => Promise<TelemetryFrame['sample']>;
  onCommand: (cmd: CommandFrame) => void;
  /** Optional features to announce in HELLO (features.ts); the hub answers with those it uses. */
  features?: readonly string[];
  onCancel?: (cancel: CancelFrame) => void;
  onResultAck?: (executionId: string) => void;
  /** After each HELLO_ACK, once the session's features are known (the executor re-sends unacknowledged results). */
  onEstablished?: () => void;
  log: Logger;
  /** Defaults: DEFAULT_BACKOFF, field by field. */
  backoff?: Partial<BackoffPolicy>;
  /** For tests: the random source of the reconnect schedule. */
  random?: () => number;
  /** How long to wait for HELLO_ACK after connecting. */
  helloAckTimeoutMs?: number;
}

/** Why the client stopped for good. */
export type StopReason = 'stopped' | 'unauthorized' | 'unsupported_version';

/**
 * The agent's side of the WebSocket protocol: HELLO (with the features it
 * supports), then HEARTBEAT and TELEMETRY at the intervals the hub gives,
 * COMMAND / CANCEL / RESULT_ACK to the executor, RESULT and OUTPUT back while a
 * session is established (the executor's journal keeps final results across
 * disconnects). Reconnects with backoff, except when the hub refuses the
 * credential or the protocol version: retrying cannot fix those.
 */
export class HubClient implements SessionLink {
  private ws?: WebSocket;
  private established = false;
  private stopping = false;
  private sessionFeatures: SessionFeatures = { cancel: false, output: false, resultAck: false };
  private readonly recent = new RecentFrames();
  private readonly abort = new AbortController();

  constructor(private readonly opts: HubClientOptions) {}

  /** Resolves when the client stops for good. */
  async run(): Promise<StopReason> {
    const schedule = new ReconnectSchedule({ ...DEFAULT_BACKOFF, ...this.opts.backoff }, this.opts.random);
    while (!this.stopping) {
      const { code, reason, established } = await this.connectOnce();
      if (this.stopping) break;
      if (code === AgentCloseCode.Unauthorized) {
        this.opts.log.error({ code }, "the hub refused this agent's credential (4401); enroll it again and set AGENT_TOKEN");
        return 'unauthorized';
      }
      if (code === AgentCloseCode.Revoked) {
        this.opts.log.error({ code, reason }, `an admin ${reason || 'revoked'} this agent (4403); its credential is refused from now on`);
        return 'unauthorized';
      }
      if (code === AgentCloseCode.UnsupportedVersion) {
        this.opts.log.error({ code, reason }, "the hub does not speak this agent's protocol version (4426); upgrade the agent");
        return 'unsupported_version';
      }
      const delay = schedule.afterClose(code, reason, established);
      this.opts.log.warn({ code, reason, retryInMs: delay }, established ? 'disconnected from hub' : 'could not connect to hub');
      await sleep(delay, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
    return 'stopped';
  }

  stop(): void {
    this.stopping = true;
    this.abort.abort();
    this.ws?.close(1000, 'agent stopping');
  }

  /** What the hub uses on the current (or last) session. */
  features(): SessionFeatures {
    return this.sessionFeatures;
  }

  /** Sends a RESULT or OUTPUT now; false when no session is established (nothing is queued). */
  send(body: ResultBody | OutputBody): boolean {
    const text = frame<AgentToHub>(body);
    if (!this.trySend(text)) return false;
    // A hub that could not store a RESULT or OUTPUT asks for it again by frame id (ERROR NOT_STORED).
    this.recent.remember(frameId(text), text);
    return true;
  }

  private trySend(text: string): boolean {
    if (!this.established || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(text);
    return true;
  }

  private connectOnce(): Promise<{ code: number; reason: string; established: boolean }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(this.opts.url);
      this.ws = ws;
      const timers: NodeJS.Timeout[] = [];
      let wasEstablished = false;
      let refusal: { code: number; reason: string } | undefined;
      let lastPong = Date.now();
      const ackTimer = setTimeout(() => {
        this.opts.log.warn('no HELLO_ACK from the hub in time');
        ws.terminate();
      }, this.opts.helloAckTimeoutMs ?? 10_000);

      ws.on('open', () => {
        const features = this.opts.features?.length ? { features: [...this.opts.features] } : {};
        ws.send(frame<AgentToHub>({ type: 'HELLO', agentId: this.opts.agentId, token: this.opts.token, inventory: this.opts.inventory, ...features }));
      });
      // A hub answers an upgrade it cannot take now with 503 and a hint: that is a 4429 without the WebSocket.
      ws.on('unexpected-response', (_req, res) => {
        refusal = upgradeRefusal(res.statusCode ?? 0, res.headers);
        ws.terminate();
      });
      ws.on('pong', () => (lastPong = Date.now()));
      ws.on('message', (data) => {
        const decoded = decodeHubFrame(wsDataToText(data));
        if (!decoded.ok) {
          this.opts.log.warn({ reason: decoded.reason }, 'ignoring an invalid frame from the hub');
          return;
        }
        const msg = decoded.message;
        switch (msg.type) {
          case 'HELLO_ACK':
            clearTimeout(ackTimer);
            wasEstablished = true;
            this.established = true;
            // Only what both sides support; a hub that names none (an older one) gets the old behaviour.
            this.sessionFeatures = {
              cancel: hasFeature(this.opts.features, AgentFeature.Cancel) && hasFeature(msg.features, AgentFeature.Cancel),
              output: hasFeature(this.opts.features, AgentFeature.Output) && hasFeature(msg.features, AgentFeature.Output),
              resultAck: hasFeature(this.opts.features, AgentFeature.ResultAck) && hasFeature(msg.features, AgentFeature.ResultAck),
            };
            timers.push(...this.startTimers(ws, msg, () => lastPong));
            this.opts.log.info({ sessionId: msg.sessionId, features: msg.features ?? [] }, 'connected to hub');
            this.opts.onEstablished?.();
            return;
          case 'COMMAND':
            return this.opts.onCommand(msg);
          case 'CANCEL':
            return this.opts.onCancel?.(msg);
          case 'RESULT_ACK':
            return this.opts.onResultAck?.(msg.executionId);
          case 'ERROR':
            this.opts.log.warn({ code: msg.code, message: msg.message, replyTo: msg.replyTo }, 'hub reported an error');
            if (msg.code === AgentErrorCode.NotStored && msg.replyTo) this.resendLater(msg.replyTo);
            return;
          case 'HEARTBEAT':
            return;
        }
      });
      ws.on('error', (err) => refusal || this.opts.log.warn({ err: err.message }, 'hub connection error'));
      ws.on('close', (code, reason) => {
        clearTimeout(ackTimer);
        for (const t of timers) clearInterval(t);
        this.established = false;
        resolve({ ...(refusal ?? { code, reason: reason.toString() }), established: wasEstablished });
      });
    });
  }

  private startTimers(ws: WebSocket, ack: HelloAck, lastPong: () => number): NodeJS.Timeout[] {
    const heartbeat = setInterval(() => {
      // The hub answers pings itself; a hub that stopped answering is a dead connection, not a quiet one.
      if (Date.now() - lastPong() > 3 * ack.heartbeatIntervalMs) {
        this.opts.log.warn('hub stopped answering pings');
        ws.terminate();
        return;
      }
      ws.ping();
      this.trySend(frame<AgentToHub>({ type: 'HEARTBEAT' }));
    }, ack.heartbeatIntervalMs);
    const telemetry = setInterval(() => {
      this.opts
        .sample()
        .then((sample) => this.trySend(frame<AgentToHub>({ type: 'TELEMETRY', sample })))
        .catch((err: Error) => this.opts.log.warn({ err: err.message }, 'telemetry sample failed'));
    }, ack.telemetryIntervalMs);
    return [heartbeat, telemetry];
  }

  private resendLater(frameIdToResend: string): void {
    const text = this.recent.recall(frameIdToResend);
    if (!text) return;
    // Not sent (disconnected meanwhile): the journal re-sends the final result after the next HELLO_ACK.
    setTimeout(() => this.trySend(text), RESEND_DELAY_MS).unref();
  }
}

/**
 * What a non-101 answer to the upgrade means for the reconnect schedule: a 503 (or 429) with a
 * retry-after hint is a refusal like a 4429 close, and is logged and scheduled as one; anything else
 * (a 404 or 502 from a proxy, a 503 without a hint) is a failed attempt (1006) that grows the backoff.
 */
export function upgradeRefusal(statusCode: number, headers: Record<string, string | string[] | undefined>): { code: number; reason: string } {
  const retryAfterMs = parseUpgradeRetryAfterMs(statusCode, headers);
  const why = `hub answered the upgrade with HTTP ${statusCode}`;
  return retryAfterMs === undefined ? { code: 1006, reason: why } : { code: AgentCloseCode.TryAgainLater, reason: tryAgainLaterReason(retryAfterMs, why) };
}

// frame() writes the envelope first, so the id is found without parsing a frame of up to 1 MiB.
const frameId = (text: string): string => /"id":"([^"]+)"/.exec(text.slice(0, 128))?.[1] ?? '';
