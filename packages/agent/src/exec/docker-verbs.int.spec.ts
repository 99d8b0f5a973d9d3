import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { VERBS, type CommandFrame } from '@fleetplane/contracts';
import { createFakeDocker, type FakeDocker } from '@fleetplane/test-harness';
import { ExecutionJournal } from '../state/execution-journal.js';
import { ExecutionManager } from './execution-manager.js';
import type { OutputBody, ResultBody } from './session-link.js';

// The docker.* and compose.* verbs through the real executor and real processes, against the
// harness's fake `docker` first on PATH (it records each argv and prints canned output). No Docker
// engine is needed; what is proven is the argv the agent runs, and that output and exit codes come
// back as they were. agent-hub's reference-agent test runs one through the hub as well.

describe('docker and compose verbs against a fake docker on PATH', () => {
  let docker: FakeDocker;
  let stateDir: string;
  let journal: ExecutionJournal;
  let sent: Array<ResultBody | OutputBody>;
  let n = 0;

  beforeAll(() => {
    docker = createFakeDocker();
    stateDir = mkdtempSync(join(tmpdir(), 'docker-verbs-state-'));
    journal = ExecutionJournal.open(stateDir, { retentionMs: 3_600_000 });
  });
  afterAll(() => {
    journal.close();
    docker.remove();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function run(verb: string, params: Record<string, unknown>, fake: { stdout?: string; stderr?: string; exit?: number } = {}) {
    docker.clear();
    sent = [];
    const manager = new ExecutionManager({
      journal,
      link: { send: (b) => sent.push(b) > 0, features: () => ({ cancel: true, output: true, resultAck: false }) },
      capabilities: VERBS,
      log: pino({ level: 'silent' }),
      maxConcurrent: 1,
      maxQueued: 10,
      systemInfo: () => Promise.resolve({}),
      baseEnv: docker.env(fake),
    });
    const executionId = `docker-${++n}`;
    const frame: CommandFrame = {
      v: 1,
      id: `f${n}`,
      ts: new Date().toISOString(),
      type: 'COMMAND',
      executionId,
      commandId: 'c',
      verb,
      params,
      timeoutSeconds: 10,
    };
    manager.onCommand(frame);
    await manager.whenIdle();
    const results = sent.filter((b): b is ResultBody => b.type === 'RESULT');
    const streamed = Buffer.concat(
      sent.filter((b): b is OutputBody => b.type === 'OUTPUT' && b.stream === 'stdout').map((b) => Buffer.from(b.data, 'base64')),
    ).toString();
    const argvs = docker.argvs();
    return { statuses: results.map((r) => r.status), final: results.at(-1)!, streamed, argvs };
  }

  it('docker.ps: --format json lines, --all, and its stdout back as output and inline summary', async () => {
    const line = '{"ID":"abc","Names":"web"}\n';
    const r = await run('docker.ps', { all: true }, { stdout: line });
    expect(r.argvs).toEqual([['ps', '--format', '{{json .}}', '--all']]);
    expect(r.statuses).toEqual(['RUNNING', 'COMPLETED']);
    expect(r.final).toMatchObject({ exitCode: 0, stdout: line });
    expect(r.streamed).toBe(line);
  });

  it('docker.logs and docker.inspect put the container after --', async () => {
    expect((await run('docker.logs', { container: 'web', tail: 50 })).argvs).toEqual([['logs', '--tail', '50', '--', 'web']]);
    expect((await run('docker.inspect', { container: 'web' })).argvs).toEqual([['inspect', '--', 'web']]);
  });

  it('docker.run keeps values with spaces and shell characters in their own argument', async () => {
    const r = await run('docker.run', { image: 'nginx:1.27', name: 'web', env: { GREETING: 'a b; $(id)' }, argv: ['sh', '-c', 'echo hi'] });
    expect(r.argvs).toEqual([['run', '--detach', '--name', 'web', '-e', 'GREETING=a b; $(id)', '--', 'nginx:1.27', 'sh', '-c', 'echo hi']]);
  });

  it('compose.up / compose.logs run docker compose against the project directory', async () => {
    expect((await run('compose.up', { projectDir: '/srv/app', file: 'prod.yml' })).argvs).toEqual([
      ['compose', '--project-directory', '/srv/app', '-f', 'prod.yml', 'up', '--detach'],
    ]);
    expect((await run('compose.logs', { projectDir: '/srv/app', tail: 5 })).argvs).toEqual([
      ['compose', '--project-directory', '/srv/app', 'logs', '--no-color', '--tail', '5'],
    ]);
  });

  it('a non-zero exit is FAILED with that exit code and the stderr', async () => {
    const r = await run('docker.stop', { container: 'gone' }, { stderr: 'Error response from daemon: No such container: gone\n', exit: 1 });
    expect(r.argvs).toEqual([['stop', '--', 'gone']]);
    expect(r.final).toMatchObject({ status: 'FAILED', exitCode: 1, stderr: 'Error response from daemon: No such container: gone\n' });
  });

  it('an exit code above 1 comes back as it was', async () => {
    expect((await run('docker.pull', { image: 'nope:latest' }, { exit: 125 })).final).toMatchObject({ status: 'FAILED', exitCode: 125 });
  });
});
