import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processRunning } from '@fleetplane/test-harness';
import { groupIdentity, stopOrphanedGroup } from './process-group.js';

/** A group like the agent's executions: a detached leader (sh) with a child that ignores SIGTERM. */
function startGroup(): { leader: ChildProcess; childPid: Promise<number> } {
  const leader = spawn('sh', ['-c', `trap '' TERM; sleep 600 & echo $!; wait`], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const childPid = new Promise<number>((resolve) => leader.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  return { leader, childPid };
}

describe('process groups left by a crashed agent', () => {
  const groups: number[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const pgid of groups.splice(0)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('identifies a group by its leader, start time and boot, and stops all of it (SIGKILL for what ignores SIGTERM)', async () => {
    const { leader, childPid } = startGroup();
    groups.push(leader.pid!);
    const child = await childPid;
    const id = groupIdentity(leader.pid!)!;
    expect(id).toMatchObject({ pgid: leader.pid, startTime: expect.stringMatching(/^\d+$/) as unknown, bootId: expect.any(String) as unknown });

    const stop = stopOrphanedGroup(id, 200);
    expect(stop.found).toBe('running');
    await stop.done;
    // The leader is our child here (unlike an orphan, reparented to init): reap it so /proc lets it go.
    await new Promise((r) => (leader.exitCode !== null || leader.signalCode !== null ? r(null) : leader.once('exit', r)));
    // The child, orphaned, may stay a zombie of PID 1 (this sandbox's init does not reap): dead all the same.
    await expect.poll(() => processRunning(child)).toBe(false);
    expect(stopOrphanedGroup(id, 200).found).toBe('gone');
  });

  it('leaves alone a group whose id names a process with another start time, or one recorded in another boot', async () => {
    const { leader, childPid } = startGroup();
    groups.push(leader.pid!);
    await childPid;
    const id = groupIdentity(leader.pid!)!;
    expect(stopOrphanedGroup({ ...id, startTime: String(Number(id.startTime) - 1) }, 50).found).toBe('reused');
    expect(stopOrphanedGroup({ ...id, bootId: 'another-boot' }, 50).found).toBe('gone');
    expect(processRunning(leader.pid!)).toBe(true);
  });

  it('reads /proc/<pid>/stat with a command name holding spaces and parentheses, and says unknown without /proc', () => {
    const root = mkdtempSync(join(tmpdir(), 'proc-fixture-'));
    dirs.push(root);
    mkdirSync(join(root, '77'));
    mkdirSync(join(root, 'sys/kernel/random'), { recursive: true });
    writeFileSync(join(root, 'sys/kernel/random/boot_id'), 'boot-x\n');
    // Fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
    // stime cutime cstime priority nice threads itrealvalue starttime …
    writeFileSync(join(root, '77/stat'), '77 (a) b (c) S 1 70 70 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 1000 10\n');
    expect(groupIdentity(77, { root })).toEqual({ pgid: 70, startTime: '123456', bootId: 'boot-x' });
    expect(groupIdentity(77, { root: join(root, 'nothing') })).toBeUndefined();
    expect(stopOrphanedGroup({ pgid: 70, startTime: '1', bootId: 'boot-x' }, 10, { root: join(root, 'nothing') }).found).toBe('unknown');
  });
});
