import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AgentCloseCode, dispatchReplySchema, subjects, type CommandDispatch } from '@fleetplane/contracts';
import { seededRandom } from '@fleetplane/test-harness';
import { TestAgentSocket } from '../testing/agent-socket.js';
import { startHubUnderTest, type HubUnderTest } from '../testing/hub-process.js';
import { decisiveFrame, fillerFrame, type PeerState } from './testing/hostile-frames.js';
import { HostilePeer } from './testing/hostile-peer.js';

// The fuzz test of the agent endpoint, against the built hub (real PostgreSQL + NATS):
// over 100,000 generated and mutated frames from about a thousand sockets, while
// three well-behaved agents heartbeat and run commands. Replay a failure with FUZZ_SEED.
const SEED = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const TOTAL_FRAMES = 100_000;
const FRAMES_PER_SECOND = 100;
const WORKERS = 24;
const GOOD = ['good-0', 'good-1', 'good-2'];

interface Mismatch {
  kind: string;
  state: PeerState;
  expected: number;
  got: number;
  reason: string;
}

describe(`hostile peers (process, real PostgreSQL + NATS; FUZZ_SEED=${SEED})`, () => {
  let hub: HubUnderTest;
  let nc: NatsConnection;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    hub = await startHubUnderTest({
      env: {
        MAX_CONNECTS_PER_SECOND: '100000',
        MAX_CONCURRENT_HELLOS: '1000',
        MAX_PENDING_HANDSHAKES: '100000',
        INBOUND_FRAMES_PER_SECOND: String(FRAMES_PER_SECOND),
      },
    });
    nc = await connect({ servers: hub.natsUrl });
    for (const id of [...GOOD, ...Array.from({ length: WORKERS }, (_, w) => `hostile-${w}`)]) {
      tokens.set(id, (await hub.grpc.enrollAgent({ agentId: id })).token);
    }
  });

  afterAll(async () => {
    await nc?.close();
    await hub?.stop();
  });

  it('never crashes or stalls, closes each bad peer with the right code, and well-behaved agents keep their sessions and run commands', async () => {
    const good = await Promise.all(GOOD.map((id) => TestAgentSocket.connect(hub.wsUrl, id, tokens.get(id)!)));
    let fuzzing = true;
    const goodFailures: string[] = [];
    let commandsRun = 0;

    // Well-behaved agents, throughout: heartbeats, and a command to each in turn answered with a RESULT.
    const wellBehaved = (async () => {
      for (let n = 0; fuzzing; n++) {
        for (const g of good) g.sendFrame({ type: 'HEARTBEAT' });
        const i = n % good.length;
        const body: CommandDispatch = { executionId: `fz-${n}`, commandId: `fz-${n}`, verb: 'exec', params: { argv: ['true'] }, timeoutSeconds: 5 };
        try {
          const reply = dispatchReplySchema.parse((await nc.request(subjects.agentCommands(GOOD[i]!), JSON.stringify(body), { timeout: 5_000 })).json());
          if (!reply.accepted) goodFailures.push(`dispatch ${n} refused: ${reply.reason}`);
          const cmd = await good[i]!.next('COMMAND');
          good[i]!.sendFrame({ type: 'RESULT', executionId: cmd.executionId, status: 'COMPLETED', exitCode: 0, stdout: '' });
          commandsRun++;
        } catch (err) {
          goodFailures.push(`dispatch ${n}: ${(err as Error).message}`);
        }
        await sleep(200);
      }
    })();

    let framesSent = 0;
    let peers = 0;
    const mismatches: Mismatch[] = [];
    const worker = async (w: number) => {
      const rng = seededRandom(SEED + w);
      while (framesSent < TOTAL_FRAMES) {
        const state: PeerState = rng() < 0.4 ? 'open' : 'pre_hello';
        const peer = await HostilePeer.open(hub.wsUrl);
        peers++;
        let budget = FRAMES_PER_SECOND;
        if (state === 'open') {
          await peer.hello(`hostile-${w}`, tokens.get(`hostile-${w}`)!);
          budget--;
          framesSent++;
        }
        let kind: string;
        let expected: number;
        if (state === 'open' && rng() < 0.15) {
          // A flood of valid frames, faster than the per-connection limit.
          kind = 'flood';
          expected = AgentCloseCode.InboundRateExceeded;
          const heartbeat = JSON.stringify({ v: 1, id: 'f', ts: new Date().toISOString(), type: 'HEARTBEAT' });
          for (let i = 0; i < budget + 50; i++) peer.send(heartbeat);
          framesSent += budget + 50;
        } else {
          const decisive = decisiveFrame(rng, state, GOOD[Math.floor(rng() * GOOD.length)]!);
          kind = decisive.kind;
          expected = decisive.expect;
          peer.send(decisive.data, rng() < 0.3 ? 2 + Math.floor(rng() * 4) : 1);
          // The frames behind it are dropped once the hub closed the connection, but still read off the wire.
          for (let i = 1; i < budget; i++) peer.send(fillerFrame(rng), rng() < 0.1 ? 2 : 1);
          framesSent += budget;
        }
        const closed = await Promise.race([peer.closed, sleep(15_000).then(() => ({ code: -1, reason: 'not closed within 15 s' }))]);
        if (closed.code !== expected) mismatches.push({ kind, state, expected, got: closed.code, reason: closed.reason });
        if (closed.code === -1) peer.terminate();
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    fuzzing = false;
    await wellBehaved;

    expect(framesSent).toBeGreaterThanOrEqual(TOTAL_FRAMES);
    expect(peers).toBeGreaterThan(900);
    expect(mismatches).toEqual([]);
    expect(goodFailures).toEqual([]);
    expect(commandsRun).toBeGreaterThan(3);
    for (const g of good) expect(g.isOpen).toBe(true);
    for (const id of GOOD) expect((await hub.grpc.getAgent(id)).agent?.connected).toBe(true);
    expect((await fetch(`${hub.httpUrl}/ready`)).status).toBe(200);
    const metrics = await (await fetch(hub.metricsUrl)).text();
    for (const reason of [
      'not_json',
      'invalid_frame',
      'unsupported_version',
      'unauthorized',
      'duplicate_hello',
      'hello_required',
      'inbound_rate',
      'frame_too_big',
    ]) {
      expect(metrics).toMatch(new RegExp(`fleetplane_agent_hub_protocol_errors_total\\{reason="${reason}"`));
    }
    for (const g of good) g.close();
  });
});
