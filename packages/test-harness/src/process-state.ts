import { readFileSync } from 'node:fs';

/**
 * Whether a process still runs: it exists and is not a zombie. `kill(pid, 0)`
 * alone cannot tell: a killed process whose parent died is reparented to PID 1,
 * and an init that never reaps (this sandbox's does not) leaves it a zombie that
 * still answers the signal forever.
 */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false; // gone between the two reads
  }
}
