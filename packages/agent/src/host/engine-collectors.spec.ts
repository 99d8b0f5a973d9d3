import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectContainers, parseContainerList, parseFailedUnits } from './engine-collectors.js';

describe('container engine and systemd collectors', () => {
  let bin: string;
  const path = process.env.PATH;

  beforeAll(() => {
    // A fake engine on PATH: prints what `docker ps --all --format '{{.State}}|{{.Status}}'` would,
    // and only when called with exactly those arguments (argv, no shell in between).
    bin = mkdtempSync(join(tmpdir(), 'fake-engine-'));
    writeFileSync(
      join(bin, 'fakedocker'),
      [
        '#!/bin/sh',
        '[ "$1 $2 $3 $4" = "ps --all --format {{.State}}|{{.Status}}" ] || { echo "unexpected: $*" >&2; exit 2; }',
        "echo 'running|Up 3 hours (healthy)'",
        "echo 'running|Up 2 minutes (unhealthy)'",
        "echo 'restarting|Restarting (1) 5 seconds ago'",
        "echo 'exited|Exited (0) 2 days ago'",
      ].join('\n'),
    );
    chmodSync(join(bin, 'fakedocker'), 0o755);
    writeFileSync(join(bin, 'brokendocker'), '#!/bin/sh\necho "Cannot connect to the Docker daemon" >&2\nexit 1\n');
    chmodSync(join(bin, 'brokendocker'), 0o755);
    process.env.PATH = `${bin}${delimiter}${path}`;
  });

  afterAll(() => {
    process.env.PATH = path;
    rmSync(bin, { recursive: true, force: true });
  });

  it('counts total, running, unhealthy and restarting containers from the engine CLI', async () => {
    expect(await collectContainers('fakedocker')).toEqual({ engine: 'fakedocker', total: 4, running: 2, unhealthy: 1, restarting: 1 });
  });

  it('gives no counts when the engine cannot answer (daemon down, binary missing)', async () => {
    expect(await collectContainers('brokendocker')).toBeUndefined();
    expect(await collectContainers('no-such-engine')).toBeUndefined();
  });

  it('parses an empty list and failed units', () => {
    expect(parseContainerList('podman', '')).toEqual({ engine: 'podman', total: 0, running: 0, unhealthy: 0, restarting: 0 });
    expect(parseFailedUnits('nginx.service loaded failed failed A high performance web server\n● backup.timer loaded failed failed Nightly\n')).toEqual([
      'nginx.service',
      'backup.timer',
    ]);
  });
});
