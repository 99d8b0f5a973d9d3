import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Who a process group is, well enough to find it again after the agent was
 * killed: its id (the leader's pid), the leader's start time in clock ticks
 * since boot (`/proc/<pid>/stat` field 22) and the boot it ran in. A pid alone
 * could name another process by the next start; pid, start time and boot id
 * together cannot.
 */
export interface GroupIdentity {
  pgid: number;
  startTime: string;
  bootId: string;
}

export type GroupState =
  /** Still running (at least one live member): stopping it. */
  | 'running'
  /** Gone (it ended, or the machine rebooted): nothing to stop. */
  | 'gone'
  /** Its id now names another process group: left alone. */
  | 'reused'
  /** /proc cannot be read (not Linux): the agent cannot tell, so it does nothing. */
  | 'unknown';

export interface OrphanStop {
  /** What was found, decided at once (before any signal). */
  found: GroupState;
  /** Settles once a running group is gone, or SIGKILL was sent at the end of the grace period. */
  done: Promise<void>;
}

interface ProcStat {
  /** Z: a zombie, already dead, waiting for its parent to reap it. */
  state: string;
  pgrp: number;
  startTime: string;
}

/** The proc filesystem's root; a test points it at a fixture tree. */
export interface ProcFs {
  root: string;
}

const LINUX_PROC: ProcFs = { root: '/proc' };

/** The identity of the group `pid` leads (the agent spawns each execution as a group leader), or undefined off Linux. */
export function groupIdentity(pid: number, fs: ProcFs = LINUX_PROC): GroupIdentity | undefined {
  const stat = readStat(fs, pid);
  const bootId = readBootId(fs);
  if (!stat || bootId === undefined) return undefined;
  return { pgid: stat.pgrp, startTime: stat.startTime, bootId };
}

/**
 * Stops the process group an earlier agent process started, if it still runs:
 * members of a group whose leader crashed with the agent keep running, holding
 * whatever they hold. SIGTERM at once, SIGKILL after `graceMs` if any member is
 * left. A group id cannot be reused while any member lives, so members under the
 * recorded id are that group's, unless a process with that pid exists with
 * another start time (the group died and the id was reused): then nothing is sent.
 */
export function stopOrphanedGroup(group: GroupIdentity, graceMs: number, fs: ProcFs = LINUX_PROC): OrphanStop {
  // The boot cannot change while this process runs: checked once, not at every poll below.
  const bootId = readBootId(fs);
  const found: GroupState = bootId === undefined ? 'unknown' : bootId !== group.bootId ? 'gone' : groupState(group, fs);
  if (found !== 'running') return { found, done: Promise.resolve() };
  signal(group.pgid, 'SIGTERM');
  const done = (async () => {
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
      if (groupState(group, fs) !== 'running') return;
    }
    // Checked again right before: within the grace period the group may have ended and its id been reused.
    if (groupState(group, fs) === 'running') signal(group.pgid, 'SIGKILL');
  })();
  return { found, done };
}

/** In the recorded group's boot: whether it still runs under its id. */
function groupState(group: GroupIdentity, fs: ProcFs): 'running' | 'gone' | 'reused' {
  const leader = readStat(fs, group.pgid);
  if (leader && leader.startTime !== group.startTime) return 'reused';
  return hasMember(fs, group.pgid) ? 'running' : 'gone';
}

function hasMember(fs: ProcFs, pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync(fs.root);
  } catch {
    return false;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(fs, Number(name));
    if (stat?.pgrp === pgid && stat.state !== 'Z') return true;
  }
  return false;
}

function readStat(fs: ProcFs, pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(join(fs.root, String(pid), 'stat'), 'utf8');
  } catch {
    return undefined; // gone (or never was)
  }
  // The command name is in parentheses and may itself hold spaces or ')': fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) pgrp(5) … starttime(22), numbered as in proc(5).
  const pgrp = Number(fields[2]);
  const startTime = fields[19];
  if (!Number.isInteger(pgrp) || startTime === undefined) return undefined;
  return { state: fields[0] ?? '', pgrp, startTime };
}

function readBootId(fs: ProcFs): string | undefined {
  try {
    return readFileSync(join(fs.root, 'sys/kernel/random/boot_id'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function signal(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // Gone between the check and the signal.
  }
}
