import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { systemInfoSchema } from '@fleetplane/contracts';
import { collectSystemInfo } from './collect.js';
import { containerEngines, parseEngineVersion } from './container-engines.js';
import { networkFacts } from './network-facts.js';
import { parseMeminfo } from './parse-meminfo.js';
import { parseMounts } from './parse-mounts.js';
import { parseOsRelease } from './parse-os-release.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('parseOsRelease', () => {
  it('reads Debian', () => {
    expect(parseOsRelease(fixture('os-release.debian'))).toEqual({
      id: 'debian',
      name: 'Debian GNU/Linux',
      version: '12 (bookworm)',
      versionId: '12',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
  });

  it('handles comments, single quotes, escapes and missing keys', () => {
    expect(parseOsRelease(fixture('os-release.alpine'))).toEqual({
      id: 'alpine',
      name: 'Alpine Linux',
      version: '',
      versionId: '3.20.3',
      prettyName: 'Alpine "Edge" Linux v3.20',
    });
    expect(parseOsRelease('')).toEqual({ id: '', name: '', version: '', versionId: '', prettyName: '' });
  });
});

describe('parseMeminfo', () => {
  it('takes MemTotal and MemAvailable in bytes', () => {
    expect(parseMeminfo(fixture('meminfo'))).toEqual({ totalBytes: 16318436 * 1024, availableBytes: 9876544 * 1024 });
  });

  it('estimates available memory on a kernel without MemAvailable', () => {
    expect(parseMeminfo(fixture('meminfo.old-kernel'))).toEqual({ totalBytes: 2048000 * 1024, availableBytes: (512000 + 100000 + 300000) * 1024 });
  });

  it('is undefined without MemTotal', () => {
    expect(parseMeminfo('MemFree: 1 kB\n')).toBeUndefined();
  });
});

describe('parseMounts', () => {
  it('keeps disk filesystems, decodes \\040, and drops pseudo filesystems and container layers', () => {
    expect(parseMounts(fixture('mounts'))).toEqual([
      { device: '/dev/nvme0n1p2', mount: '/', filesystem: 'ext4' },
      { device: '/dev/nvme0n1p1', mount: '/boot/efi', filesystem: 'vfat' },
      { device: '/dev/mapper/data', mount: '/srv/my data', filesystem: 'xfs' },
    ]);
  });
});

describe('networkFacts', () => {
  it('lists each interface once with its MAC and addresses', () => {
    const facts = networkFacts({
      lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
      eth0: [
        { address: '10.0.0.5', netmask: '255.255.255.0', family: 'IPv4', mac: '02:42:ac:11:00:02', internal: false, cidr: '10.0.0.5/24' },
        { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:42:ac:11:00:02', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
      ],
    });
    expect(facts).toEqual([
      { name: 'lo', mac: '00:00:00:00:00:00', addresses: [{ address: '127.0.0.1', family: 'IPv4', cidr: '127.0.0.1/8', internal: true }] },
      {
        name: 'eth0',
        mac: '02:42:ac:11:00:02',
        addresses: [
          { address: '10.0.0.5', family: 'IPv4', cidr: '10.0.0.5/24', internal: false },
          { address: 'fe80::1', family: 'IPv6', cidr: 'fe80::1/64', internal: false },
        ],
      },
    ]);
  });
});

describe('container engines', () => {
  let bin: string | undefined;
  afterEach(() => bin && rmSync(bin, { recursive: true, force: true }));

  it('parses docker and podman version lines', () => {
    expect(parseEngineVersion('Docker version 27.3.1, build ce12230\n')).toBe('27.3.1');
    expect(parseEngineVersion('podman version 5.2.2\n')).toBe('5.2.2');
    expect(parseEngineVersion('something else')).toBeNull();
  });

  it('asks each engine on PATH with an argv, and gives up on one that hangs', async () => {
    bin = mkdtempSync(join(tmpdir(), 'engines-'));
    writeFileSync(join(bin, 'docker'), '#!/bin/sh\n[ "$1" = "--version" ] && echo "Docker version 27.3.1, build ce12230"\n');
    writeFileSync(join(bin, 'podman'), '#!/bin/sh\nexec sleep 30\n');
    chmodSync(join(bin, 'docker'), 0o755);
    chmodSync(join(bin, 'podman'), 0o755);
    expect(await containerEngines({ PATH: `${bin}:/usr/bin:/bin` }, 500)).toEqual([
      { name: 'docker', version: '27.3.1' },
      { name: 'podman', version: null },
    ]);
  });

  it('is empty when neither is on PATH', async () => {
    expect(await containerEngines({ PATH: '/nonexistent' })).toEqual([]);
  });
});

describe(collectSystemInfo.name, () => {
  let root: string | undefined;
  afterEach(() => root && rmSync(root, { recursive: true, force: true }));

  it('builds a document that matches the contract from the host files', async () => {
    root = mkdtempSync(join(tmpdir(), 'sysinfo-root-'));
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'proc'));
    copyFileSync(join(FIXTURES, 'os-release.debian'), join(root, 'etc/os-release'));
    copyFileSync(join(FIXTURES, 'meminfo'), join(root, 'proc/meminfo'));
    copyFileSync(join(FIXTURES, 'mounts'), join(root, 'proc/mounts'));
    const statfs = (path: string) =>
      path === '/boot/efi' ? Promise.reject(new Error('EACCES')) : Promise.resolve({ blocks: 1000, bfree: 250, bavail: 200, bsize: 4096 });
    const info = await collectSystemInfo({ env: { PATH: '/nonexistent' }, root, statfs, now: () => new Date('2026-12-01T12:00:00Z') });

    expect(systemInfoSchema.parse(info)).toEqual(info);
    expect(info.os).toMatchObject({ id: 'debian', versionId: '12' });
    expect(info.memory).toEqual({ totalBytes: 16318436 * 1024, availableBytes: 9876544 * 1024 });
    // A mount statfs cannot read is left out rather than reported as empty.
    expect(info.disks).toEqual([
      { device: '/dev/nvme0n1p2', mount: '/', filesystem: 'ext4', sizeBytes: 4096000, usedBytes: 3072000, availableBytes: 819200 },
      { device: '/dev/mapper/data', mount: '/srv/my data', filesystem: 'xfs', sizeBytes: 4096000, usedBytes: 3072000, availableBytes: 819200 },
    ]);
    expect(info.cpu.count).toBeGreaterThan(0);
    expect(info.containerEngines).toEqual([]);
    expect(info.collectedAt).toBe('2026-12-01T12:00:00.000Z');
  });

  it('falls back to node:os memory figures when /proc/meminfo is absent (not Linux)', async () => {
    root = mkdtempSync(join(tmpdir(), 'sysinfo-empty-'));
    const info = await collectSystemInfo({ env: { PATH: '/nonexistent' }, root });
    expect(info.memory.totalBytes).toBeGreaterThan(0);
    expect(info.os.id).toBe('');
    expect(info.disks).toEqual([]);
  });
});
