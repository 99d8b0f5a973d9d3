// Parsers for the /proc files the reference agent samples: pure functions over the files' text,
// each unit-tested against a fixture, so the collectors stay a thin read + diff around them.

/** Busy and total jiffies of one CPU line of /proc/stat. */
export interface CpuTicks {
  busy: number;
  total: number;
}

/** `cpu` (total) and `cpuN` lines of /proc/stat: user nice system idle iowait irq softirq steal. */
export function parseProcStat(text: string): { total: CpuTicks; cores: CpuTicks[] } {
  let total: CpuTicks = { busy: 0, total: 0 };
  const cores: CpuTicks[] = [];
  for (const line of text.split('\n')) {
    const m = /^cpu(\d*)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = m[2]!.trim().split(/\s+/).map(Number);
    const ticks = { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
    if (m[1] === '') total = ticks;
    else cores.push(ticks);
  }
  return { total, cores };
}

/** Percent busy between two readings of the same CPU; 0 when no time passed. */
export function busyPercent(prev: CpuTicks, now: CpuTicks): number {
  const total = now.total - prev.total;
  if (total <= 0) return 0;
  return Math.round(Math.min(100, Math.max(0, (100 * (now.busy - prev.busy)) / total)) * 10) / 10;
}

/** The kB fields of /proc/meminfo, in bytes. */
export function parseMeminfo(text: string): { memTotal: number; memAvailable: number; swapTotal: number; swapFree: number } {
  const kb = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { memTotal: kb('MemTotal'), memAvailable: kb('MemAvailable'), swapTotal: kb('SwapTotal'), swapFree: kb('SwapFree') };
}

/** Receive and transmit byte counters per interface from /proc/net/dev, loopback left out. */
export function parseNetDev(text: string): { name: string; rxBytes: number; txBytes: number }[] {
  const out: { name: string; rxBytes: number; txBytes: number }[] = [];
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    out.push({ name: m[1]!, rxBytes: f[0] ?? 0, txBytes: f[8] ?? 0 });
  }
  return out;
}

/** Filesystems that hold data; pseudo and overlay filesystems are not disks. */
const REAL_FS = new Set([
  'ext2',
  'ext3',
  'ext4',
  'xfs',
  'btrfs',
  'zfs',
  'vfat',
  'exfat',
  'ntfs',
  'ntfs3',
  'f2fs',
  'jfs',
  'reiserfs',
  'nfs',
  'nfs4',
  'cifs',
  'fuseblk',
]);

/** The mount points of real filesystems from /proc/self/mounts, each once (the first mount wins). */
export function parseMounts(text: string): { mount: string; fsType: string }[] {
  const seen = new Set<string>();
  const out: { mount: string; fsType: string }[] = [];
  for (const line of text.split('\n')) {
    const [, rawMount, fsType] = line.split(' ');
    if (!rawMount || !fsType || !REAL_FS.has(fsType)) continue;
    // /proc/mounts escapes spaces, tabs, newlines and backslashes as octal.
    const mount = rawMount.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (seen.has(mount)) continue;
    seen.add(mount);
    out.push({ mount, fsType });
  }
  return out;
}
