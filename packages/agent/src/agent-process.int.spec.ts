import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processRunning, SERVICE_NODE_ARGS, spawnProcess, type ManagedProcess } from '@fleetplane/test-harness';
import { wireResultStatus, type ResultFrame } from '@fleetplane/contracts';
import { ProtocolPeer } from './testing/protocol-peer.js';

// The built agent (dist/main.js) as its own process, driven by a test peer that speaks the hub's
// side of the protocol (src/testing/protocol-peer.ts): the agent is the WebSocket client here.
// Covers what only a real process shows: a CANCEL kills the process group on this machine, and a
// kill -9 of the agent neither runs an execution twice nor loses its result.
const AGENT_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A command whose every run appends its pid to `file` and then waits (so a test can count runs). */
const appendAndWait = (file: string, waitMs: number) => [
  process.execPath,
  '-e',
  `require('node:fs').appendFileSync(${JSON.stringify(file)}, process.pid + '\\n'); setTimeout(() => console.log('done'), ${waitMs});`,
];
const runsIn = (file: string): number[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : []);

describe('reference agent process against a protocol test peer', () => {
  let peer: ProtocolPeer;
  let stateDir: string;
  let agent: ManagedProcess | undefined;
  const leftovers: number[] = [];

  const startAgent = async () => {
    agent = spawnProcess('agent', process.execPath, [...SERVICE_NODE_ARGS], {
      cwd: AGENT_DIR,
      env: {
        HUB_URL: await peer.url(),
        AGENT_ID: 'proc-agent-1',
        AGENT_TOKEN: 't'.repeat(43),
        AGENT_STATE_DIR: stateDir,
        OTEL_SERVICE_NAME: 'agent',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_TRACES_EXPORTER: 'none',
      },
    });
    return agent;
  };
  const command = (executionId: string, argv: string[]) =>
    peer.send({ type: 'COMMAND', executionId, commandId: 'cmd-1', verb: 'exec', params: { argv }, timeoutSeconds: 900 });
  const resultsOf = (executionId: string, frames = peer.all()) =>
    frames.filter((f): f is ResultFrame => f.type === 'RESULT' && f.executionId === executionId && f.status !== 'RUNNING');

  beforeEach(() => {
    peer = new ProtocolPeer();
    stateDir = mkdtempSync(join(tmpdir(), 'agent-proc-'));
  });
  afterEach(async () => {
    await agent?.stop();
    for (const pid of leftovers.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await peer.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('streams output while a command runs, and a CANCEL kills its whole process group and reports CANCELLED with the output so far', async () => {
    await startAgent();
    await peer.waitForConnection(1);
    expect(peer.current[0]).toMatchObject({ type: 'HELLO', features: ['cancel', 'output', 'result-ack'] });
    // No shell: node starts a sleep 600 child and prints both pids.
    const parent = `const c = require('node:child_process').spawn('sleep', ['600'], { stdio: 'ignore' });
      console.log(JSON.stringify({ parent: process.pid, child: c.pid })); setInterval(() => {}, 1000);`;
    command('cancel-1', [process.execPath, '-e', parent]);
    const output = await peer.waitFor('OUTPUT', (f) => f.executionId === 'cancel-1');
    const pids = JSON.parse(Buffer.from(output.data, 'base64').toString().trim()) as { parent: number; child: number };
    leftovers.push(pids.parent);
    expect(output).toMatchObject({ stream: 'stdout', seq: 0, offset: 0 });
    expect(alive(pids.child)).toBe(true);

    peer.send({ type: 'CANCEL', executionId: 'cancel-1', graceMs: 1_000 });
    const result = await peer.waitFor('RESULT', (f) => f.executionId === 'cancel-1' && f.status !== 'RUNNING');
    // CANCELLED once the protocol's RESULT carries it (contracts' wireResultStatus), FAILED until then.
    expect(result).toMatchObject({
      status: wireResultStatus('CANCELLED', true),
      error: 'cancelled',
      stdout: expect.stringContaining(`"child":${pids.child}`) as string,
    });
    expect(result.outputBytes?.stdout).toBeGreaterThan(0);
    expect(alive(pids.parent)).toBe(false);
    expect(alive(pids.child)).toBe(false);
    expect(alive(-pids.parent)).toBe(false);
  });

  it('keeps the output a command writes while the hub connection is down and sends all of it after the next HELLO_ACK', async () => {
    await startAgent();
    await peer.waitForConnection(1);
    // 60 numbered lines, one every 25 ms (1.5 s), no shell.
    const lines = `let i = 0; const t = setInterval(() => { console.log('line ' + i); if (++i === 60) clearInterval(t); }, 25);`;
    command('away-1', [process.execPath, '-e', lines]);
    await peer.waitFor('OUTPUT', (f) => f.executionId === 'away-1');
    peer.helloAckDelayMs = 700; // reconnected at once, but no session for 0.7 s: about half the lines come meanwhile
    peer.dropAgent();
    await peer.waitForConnection(2);
    const result = await peer.waitFor('RESULT', (f) => f.executionId === 'away-1' && f.status !== 'RUNNING');
    expect(result).toMatchObject({ status: 'COMPLETED', outputBytes: { stdout: expect.any(Number) as number } });
    const total = result.outputBytes!.stdout;
    // Every byte arrives once over the two sessions, contiguous by offset.
    const received = () =>
      peer
        .all()
        .filter((f): f is Extract<typeof f, { type: 'OUTPUT' }> => f.type === 'OUTPUT' && f.executionId === 'away-1')
        .sort((a, b) => a.offset - b.offset);
    await expect.poll(() => received().reduce((n, f) => n + Buffer.from(f.data, 'base64').length, 0)).toBe(total);
    const text = Buffer.concat(received().map((f) => Buffer.from(f.data, 'base64'))).toString();
    expect(text).toBe(Array.from({ length: 60 }, (_, i) => `line ${i}\n`).join(''));
    // Some of it was made while there was no session: it came on the second connection.
    expect(peer.connections[1]!.some((f) => f.type === 'OUTPUT')).toBe(true);
  });

  it('kill -9 mid-run, restart on the same state dir: the orphaned process group is stopped, the command is not run again, its FAILED result is re-sent after each reconnect until acked', async () => {
    const runs = join(stateDir, 'runs.log');
    await startAgent();
    await peer.waitForConnection(1);
    command('crash-1', appendAndWait(runs, 600_000));
    await peer.waitFor('RESULT', (f) => f.executionId === 'crash-1' && f.status === 'RUNNING');
    await expect.poll(() => runsIn(runs).length).toBe(1);
    const [orphan] = runsIn(runs);
    leftovers.push(orphan!);

    await agent!.stop('SIGKILL');
    // kill -9 takes the agent, not the group it started: the command's process still runs.
    expect(processRunning(orphan!)).toBe(true);
    await startAgent();
    await peer.waitForConnection(2);
    const reported = await peer.waitFor('RESULT', (f) => f.executionId === 'crash-1', 1);
    expect(reported).toMatchObject({ status: 'FAILED', error: 'agent restarted during execution (its process group was still running and was stopped)' });
    // Its parent was the dead agent: it ends a zombie of PID 1 here (this sandbox's init does not reap).
    await expect.poll(() => processRunning(orphan!)).toBe(false);

    // The dispatcher retries the same execution: not run again; its stored result is sent again.
    command('crash-1', appendAndWait(runs, 600_000));
    await expect.poll(() => resultsOf('crash-1', peer.connections[1]).length).toBe(2);
    // Not acknowledged: the next session gets it once more.
    peer.dropAgent();
    await peer.waitForConnection(3);
    await peer.waitFor('RESULT', (f) => f.executionId === 'crash-1', 2);

    peer.send({ type: 'RESULT_ACK', executionId: 'crash-1' });
    // A marker command that answers after the ack is on disk: nothing for crash-1 may come before it.
    command('marker-1', ['true']);
    await peer.waitFor('RESULT', (f) => f.executionId === 'marker-1' && f.status === 'COMPLETED', 2);
    peer.dropAgent();
    await peer.waitForConnection(4);
    command('marker-2', ['true']);
    await peer.waitFor('RESULT', (f) => f.executionId === 'marker-2' && f.status === 'COMPLETED', 3);
    expect(resultsOf('crash-1', peer.connections[3])).toEqual([]);
    expect(runsIn(runs)).toHaveLength(1);
  });

  it('SIGTERM stops the running process group, keeps its result and sends it after the restart', async () => {
    const runs = join(stateDir, 'runs.log');
    await startAgent();
    await peer.waitForConnection(1);
    command('stop-1', appendAndWait(runs, 600_000));
    await peer.waitFor('RESULT', (f) => f.executionId === 'stop-1' && f.status === 'RUNNING');
    await expect.poll(() => runsIn(runs).length).toBe(1);
    const [pid] = runsIn(runs);
    leftovers.push(pid!);

    expect(await agent!.stop('SIGTERM')).toBe(0);
    expect(alive(-pid!)).toBe(false);
    await startAgent();
    await peer.waitForConnection(2);
    expect(await peer.waitFor('RESULT', (f) => f.executionId === 'stop-1', 1)).toMatchObject({
      status: 'FAILED',
      error: 'cancelled: the agent is stopping',
    });
  });

  it('kill -9 during delivery (result sent, not acked): after the restart the result arrives again, once, and the command never runs twice', async () => {
    const runs = join(stateDir, 'runs.log');
    await startAgent();
    await peer.waitForConnection(1);
    command('deliver-1', appendAndWait(runs, 0));
    const first = await peer.waitFor('RESULT', (f) => f.executionId === 'deliver-1' && f.status === 'COMPLETED');

    await agent!.stop('SIGKILL');
    await startAgent();
    await peer.waitForConnection(2);
    const again = await peer.waitFor('RESULT', (f) => f.executionId === 'deliver-1', 1);
    expect(again).toMatchObject({ status: 'COMPLETED', exitCode: 0, stdout: first.stdout });
    peer.send({ type: 'RESULT_ACK', executionId: 'deliver-1' });
    command('deliver-1', appendAndWait(runs, 0));
    command('marker-3', ['true']);
    await peer.waitFor('RESULT', (f) => f.executionId === 'marker-3' && f.status === 'COMPLETED', 1);
    // The repeated COMMAND got the stored result back, and the process ran once in all.
    expect(resultsOf('deliver-1', peer.connections[1])).toHaveLength(2);
    expect(runsIn(runs)).toHaveLength(1);
  });
});
