import { z } from 'zod';

/** What a simulated agent does with a COMMAND: how long it "runs", how much it prints, how often it fails. */
export const commandBehaviourSchema = z.object({
  /** From COMMAND to the final RESULT (a RUNNING result is sent at once, as the real agent does on spawn). */
  latencyMs: z.number().int().min(0).max(3_600_000).default(20),
  /** Bytes of stdout in a successful RESULT; the first line names the agent and the verb. */
  outputBytes: z
    .number()
    .int()
    .min(0)
    .max(256 * 1024)
    .default(64),
  /** Fraction of commands answered FAILED with exit code 1 (0..1). */
  failureRate: z.number().min(0).max(1).default(0),
});
export type CommandBehaviour = z.infer<typeof commandBehaviourSchema>;

export const simOptionsSchema = z.object({
  /** The hub's agent endpoint, e.g. ws://127.0.0.1:4100/agent/v1. */
  hubUrl: z.string().regex(/^wss?:\/\//, 'a ws:// or wss:// URL'),
  /** Heartbeat interval; 0 = the one the hub gives in HELLO_ACK. */
  heartbeatMs: z.number().int().min(0).default(0),
  /** Telemetry interval; 0 = the hub's, -1 = none (idle benchmarks measure heartbeats alone). */
  telemetryMs: z.number().int().min(-1).default(0),
  /** New connections per second while the fleet first comes up (reconnects follow the backoff instead). */
  connectPerSecond: z.number().positive().default(1_000),
  /** How long to wait for HELLO_ACK before dropping the socket and backing off (the real agent: 10 s). */
  helloAckTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * Source addresses to spread the sockets over, e.g. 127.0.0.2..127.0.0.9: one address pair has
   * only ~28,000 ephemeral ports (net.ipv4.ip_local_port_range). Empty = the kernel picks.
   */
  localAddresses: z.array(z.string()).default([]),
  command: commandBehaviourSchema.default(commandBehaviourSchema.parse({})),
  /**
   * Changes to the reference agent's backoff (DEFAULT_BACKOFF: base 500 ms, cap 30 s, first reconnect
   * after a drop within 10 s). Left alone, the simulated fleet backs off as the real one does.
   */
  backoff: z
    .object({
      baseMs: z.number().int().positive().optional(),
      maxMs: z.number().int().positive().optional(),
      firstReconnectWindowMs: z.number().int().min(0).optional(),
    })
    .default({}),
  /** Resolution of the shared timer wheel. */
  tickMs: z.number().int().min(10).max(1_000).default(100),
});
export type SimOptions = z.infer<typeof simOptionsSchema>;
export type SimOptionsInput = z.input<typeof simOptionsSchema>;
