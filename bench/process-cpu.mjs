// CPU seconds used by the processes a bench started: every live descendant of this process, named
// by the services' own names where the bench knows their pids (fleet.processes) and by the
// executable's name otherwise (postgres, redis-server, nats-server). A process's figure includes
// its children that have exited and been waited for (cutime/cstime), so PostgreSQL's backends that
// came and went are counted under it. Linux only (/proc).
import { readdirSync, readFileSync } from 'node:fs';

function stat(pid) {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = raw.lastIndexOf(')');
    const comm = raw.slice(raw.indexOf('(') + 1, close);
    const f = raw.slice(close + 2).split(' ');
    // Fields after the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    return { pid, comm, ppid: Number(f[1]), seconds: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100 };
  } catch {
    return undefined; // gone between readdir and read
  }
}

/** CPU seconds so far by process name, for this process (as `bench`) and everything it started. */
export function cpuByProcess(named = new Map()) {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => stat(Number(d)))
    .filter(Boolean);
  const byPid = new Map(all.map((s) => [s.pid, s]));
  const nameOf = new Map([...named].map(([name, pid]) => [pid, name]));
  const root = process.pid;
  const isOurs = (s) => {
    for (let p = s; p; p = byPid.get(p.ppid)) if (p.pid === root) return true;
    return false;
  };
  const out = {};
  for (const s of all) {
    if (!isOurs(s)) continue;
    // A child of a named service (a pg_dump, a worker process) counts as that service.
    let name = s.pid === root ? 'bench' : undefined;
    for (let p = s; !name && p && p.pid !== root; p = byPid.get(p.ppid)) name = nameOf.get(p.pid);
    name ??= s.comm;
    out[name] = (out[name] ?? 0) + s.seconds;
  }
  return out;
}

/** What each process used between two `cpuByProcess` readings, largest first. */
export function cpuBetween(before, after) {
  return Object.entries(after)
    .map(([name, s]) => [name, s - (before[name] ?? 0)])
    .filter(([, s]) => s > 0.005)
    .sort((a, b) => b[1] - a[1]);
}
