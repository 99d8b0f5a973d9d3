import { randomUUID } from 'node:crypto';
import { AgentCloseCode, MAX_AGENT_FRAME_BYTES } from '@fleetplane/contracts';

/**
 * Generated and mutated agent frames for the hub's fuzz test, each with the
 * close code the hub must answer it with when it is the first frame that
 * decides a connection's fate. Everything is derived from a seeded random, so
 * a failing run can be replayed from its seed.
 */

export type Rng = () => number;

export interface HostileFrame {
  /** What it is, for a failure message. */
  kind: string;
  data: string | Buffer;
  /** The close code the hub answers with when this frame decides. */
  expect: number;
}

/** Where the connection is when the frame arrives: before HELLO, or with an open session. */
export type PeerState = 'pre_hello' | 'open';

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const envelope = () => ({ v: 1, id: randomUUID(), ts: new Date().toISOString() });

const inventory = () => ({ site: 'fuzz', os: 'linux', kernel: '6.1', version: '0.1.0', capabilities: ['exec'], containerEngine: '', labels: {} });
const hello = (agentId: string, token: string) => ({ ...envelope(), type: 'HELLO', agentId, token, inventory: inventory() });
const heartbeat = () => ({ ...envelope(), type: 'HEARTBEAT' });
const result = () => ({ ...envelope(), type: 'RESULT', executionId: `exec-${int(Math.random, 1, 1e6)}`, status: 'COMPLETED', exitCode: 0, stdout: 'ok' });
const telemetry = () => ({
  ...envelope(),
  type: 'TELEMETRY',
  sample: { cpuPercent: 5, memoryUsedBytes: 1, memoryTotalBytes: 2, load: [0, 0, 0], diskUsedBytes: 1, diskTotalBytes: 2, uptimeSeconds: 1 },
});

type Json = Record<string, unknown>;

const labels = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

/** For each field a mutation may hit: values of the wrong type or out of range (every one fails the schema). */
const BAD: Record<string, (rng: Rng) => unknown[]> = {
  id: (rng) => [null, 5, '', 'x'.repeat(int(rng, 65, 5_000)), {}],
  ts: () => [null, 5, 'yesterday', '', '2026-13-45T99:00:00Z'],
  agentId: (rng) => ['', 'a.b.>', 'x y', 'x'.repeat(int(rng, 300, 5_000)), 7, null],
  token: (rng) => ['short', 'x'.repeat(int(rng, 257, 5_000)), 5, null, ['t'.repeat(43)]],
  inventory: () => [null, 'x', 5, []],
  'inventory.os': (rng) => [null, 5, 'x'.repeat(int(rng, 129, 5_000))],
  'inventory.capabilities': () => ['exec', [1], Array.from({ length: 65 }, () => 'a')],
  'inventory.labels': () => ['x', { a: 5 }, labels(65)],
  executionId: () => ['', 'a.b.>', 5, null],
  status: () => ['DONE', 5, null, 'completed'],
  exitCode: () => [1.5, 'zero', null, '1'],
  stdout: () => [5, {}, [], null],
  sample: () => [null, 5, 'x', []],
  'sample.cpuPercent': () => [-1, 101, 'x', null],
  'sample.load': () => [[1, 2], 'x', [1, 2, '3'], null],
  'sample.memoryUsedBytes': () => [-1, 'x', null],
};

/** Sets `path` (dotted) in a copy of `frame` to `value`. */
function mutate(frame: Json, path: string, value: unknown): Json {
  const copy = structuredClone(frame);
  const keys = path.split('.');
  let at: Json = copy;
  for (const k of keys.slice(0, -1)) at = at[k] as Json;
  at[keys.at(-1)!] = value;
  return copy;
}

// The fields of each frame a mutation may hit (`v` and `type` have cases of their own).
const MUTABLE: Record<string, string[]> = {
  HELLO: ['id', 'ts', 'agentId', 'token', 'inventory', 'inventory.os', 'inventory.capabilities', 'inventory.labels'],
  HEARTBEAT: ['id', 'ts'],
  RESULT: ['id', 'ts', 'executionId', 'status', 'exitCode', 'stdout'],
  TELEMETRY: ['id', 'ts', 'sample', 'sample.cpuPercent', 'sample.load', 'sample.memoryUsedBytes'],
};

/**
 * One decisive frame for a peer in `state`. `otherAgentId` is a real, connected
 * agent whose id a hostile HELLO borrows (without its credential).
 */
export function decisiveFrame(rng: Rng, state: PeerState, otherAgentId: string): HostileFrame {
  const base = (): Json => pick(rng, [heartbeat, result, telemetry, () => hello(otherAgentId, 't'.repeat(43))])();
  const text = (kind: string, f: unknown, expect: number): HostileFrame => ({ kind, data: JSON.stringify(f), expect });
  const protocolError = AgentCloseCode.ProtocolError;
  switch (int(rng, 0, 11)) {
    case 0: {
      // A valid frame with one field of the wrong type or out of range.
      const f = base();
      const path = pick(rng, MUTABLE[f['type'] as string]!);
      const value = pick(rng, BAD[path]!(rng));
      return text(`mutated ${String(f['type'])}.${path}`, mutate(f, path, value), protocolError);
    }
    case 1:
      return text('unknown type', { ...envelope(), type: pick(rng, ['REBOOT', 'hello', '', 'HELLO_ACK', 'COMMAND']) }, protocolError);
    case 2:
      return text('other protocol version', { ...base(), v: pick(rng, [0, 2, 99, '1', null]) }, AgentCloseCode.UnsupportedVersion);
    case 3: {
      const raw = JSON.stringify(base());
      return { kind: 'truncated JSON', data: raw.slice(0, int(rng, 1, raw.length - 1)), expect: protocolError };
    }
    case 4:
      return { kind: 'binary garbage', data: Buffer.from(Array.from({ length: int(rng, 1, 2_000) }, () => int(rng, 0, 255))), expect: protocolError };
    case 5: {
      const depth = int(rng, 1_000, 200_000);
      return { kind: `nested ${depth} deep`, data: '['.repeat(depth) + ']'.repeat(depth), expect: protocolError };
    }
    case 6:
      return text('huge token', hello(otherAgentId, 'x'.repeat(int(rng, 300_000, 900_000))), protocolError);
    case 7:
      return {
        kind: 'over the frame limit',
        data: JSON.stringify({ ...heartbeat(), pad: 'x'.repeat(MAX_AGENT_FRAME_BYTES) }),
        expect: AgentCloseCode.MessageTooBig,
      };
    case 8:
      return text('JSON that is not an object', pick(rng, [[], 1, 'HELLO', null, true]), protocolError);
    case 9:
      // Before HELLO: another agent's id without its credential. Open: a second HELLO.
      return text(
        state === 'pre_hello' ? "another agent's id" : 'second HELLO',
        hello(otherAgentId, randomUUID() + randomUUID()),
        state === 'pre_hello' ? AgentCloseCode.Unauthorized : protocolError,
      );
    case 10:
      // Valid frames, in the wrong place (before HELLO) — open sessions get a bad one instead.
      return state === 'pre_hello'
        ? text('valid frame before HELLO', pick(rng, [heartbeat, result, telemetry])(), protocolError)
        : text('HEARTBEAT with a bad ts', mutate(heartbeat(), 'ts', 'yesterday'), protocolError);
    default:
      return {
        kind: 'random text',
        data: Array.from({ length: int(rng, 1, 500) }, () => String.fromCharCode(int(rng, 32, 0x2fff))).join(''),
        expect: protocolError,
      };
  }
}

/** Small mutated frames that follow a decisive one (the hub drops them once it closed the connection). */
export function fillerFrame(rng: Rng): string {
  const f = pick(rng, [heartbeat, result, telemetry])();
  const path = pick(rng, MUTABLE[f['type']]!);
  return JSON.stringify(mutate(f, path, pick(rng, [null, -1, true, [], {}, 'x'.repeat(int(rng, 1, 500))])));
}
