import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A `docker` executable for tests of the docker.* and compose.* verbs where no Docker engine runs:
// it records each argv (one argument per line, NUL between invocations) and prints what
// FAKE_DOCKER_STDOUT / FAKE_DOCKER_STDERR say, exiting with FAKE_DOCKER_EXIT. What a test proves
// with it is the argv the agent runs, and that output and exit codes come back as they were.
const SCRIPT = `#!/bin/sh
for a in "$@"; do printf '%s\\n' "$a" >> "$FAKE_DOCKER_LOG"; done
printf '\\0' >> "$FAKE_DOCKER_LOG"
printf '%s' "$FAKE_DOCKER_STDOUT"
[ -n "$FAKE_DOCKER_STDERR" ] && printf '%s' "$FAKE_DOCKER_STDERR" >&2
exit "\${FAKE_DOCKER_EXIT:-0}"
`;

export interface FakeDocker {
  /** The directory holding `docker`: put it first on the PATH of the process under test. */
  dir: string;
  /** The file every invocation's argv is appended to (FAKE_DOCKER_LOG). */
  log: string;
  /** PATH and FAKE_DOCKER_* for a process that should find this docker and answer with `fake`. */
  env(fake?: { stdout?: string; stderr?: string; exit?: number }): Record<string, string>;
  /** The argv of every invocation since the last `clear()`. */
  argvs(): string[][];
  clear(): void;
  remove(): void;
}

export function createFakeDocker(): FakeDocker {
  const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  writeFileSync(join(dir, 'docker'), SCRIPT);
  chmodSync(join(dir, 'docker'), 0o755);
  const log = join(dir, 'argv.log');
  writeFileSync(log, '');
  return {
    dir,
    log,
    env: (fake = {}) => ({
      PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      FAKE_DOCKER_LOG: log,
      FAKE_DOCKER_STDOUT: fake.stdout ?? '',
      FAKE_DOCKER_STDERR: fake.stderr ?? '',
      FAKE_DOCKER_EXIT: String(fake.exit ?? 0),
    }),
    argvs: () =>
      readFileSync(log, 'utf8')
        .split('\0')
        .filter(Boolean)
        .map((inv) => inv.split('\n').slice(0, -1)),
    clear: () => writeFileSync(log, ''),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
