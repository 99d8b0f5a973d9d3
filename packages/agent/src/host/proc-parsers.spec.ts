import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { busyPercent, parseMeminfo, parseMounts, parseNetDev, parseProcStat } from './proc-parsers.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('procfs parsers', () => {
  it('reads total and per-core ticks from /proc/stat, and busy percent between two readings', () => {
    const a = parseProcStat(fixture('proc-stat.txt'));
    const b = parseProcStat(fixture('proc-stat-later.txt'));
    expect(a.total).toEqual({ busy: 1560, total: 9660 });
    expect(a.cores).toHaveLength(2);
    // total: busy +500 of +900 jiffies; cpu0 +400 of +450; cpu1 +100 of +450.
    expect(busyPercent(a.total, b.total)).toBe(55.6);
    expect(busyPercent(a.cores[0]!, b.cores[0]!)).toBe(88.9);
    expect(busyPercent(a.cores[1]!, b.cores[1]!)).toBe(22.2);
    expect(busyPercent(b.total, b.total)).toBe(0);
  });

  it('reads memory and swap from /proc/meminfo in bytes', () => {
    expect(parseMeminfo(fixture('meminfo.txt'))).toEqual({
      memTotal: 8_192_000_000,
      memAvailable: 6_144_000_000,
      swapTotal: 2_048_000_000,
      swapFree: 1_536_000_000,
    });
  });

  it('reads byte counters per interface from /proc/net/dev, without loopback', () => {
    expect(parseNetDev(fixture('net-dev.txt'))).toEqual([
      { name: 'eth0', rxBytes: 1_000_000, txBytes: 2_000_000 },
      { name: 'wlan0', rxBytes: 500, txBytes: 700 },
    ]);
  });

  it('keeps real filesystems from /proc/self/mounts, once each, with octal escapes decoded', () => {
    expect(parseMounts(fixture('mounts.txt'))).toEqual([
      { mount: '/', fsType: 'ext4' },
      { mount: '/srv/my data', fsType: 'xfs' },
    ]);
  });
});
