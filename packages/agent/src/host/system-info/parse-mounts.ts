export interface MountEntry {
  device: string;
  mount: string;
  filesystem: string;
}

// Filesystems that hold data on a device; the rest of /proc/mounts (proc, sysfs, tmpfs,
// cgroup, overlay layers of containers…) says nothing about the host's disks.
const DISK_FILESYSTEMS = new Set([
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
  'apfs',
  'hfs',
  'hfsplus',
]);

/**
 * /proc/mounts (fstab format: device mount fstype options dump pass; spaces in
 * paths are written as \040). Keeps disk filesystems, one entry per mount point
 * (the last mount over a point is the visible one), and drops container layers
 * under /var/lib/docker and /var/lib/containers.
 */
export function parseMounts(text: string): MountEntry[] {
  const byMount = new Map<string, MountEntry>();
  for (const line of text.split('\n')) {
    const [device, mount, filesystem] = line.trim().split(/\s+/);
    if (!device || !mount || !filesystem || !DISK_FILESYSTEMS.has(filesystem)) continue;
    const path = unescapeOctal(mount);
    if (/^\/var\/lib\/(docker|containers)\//.test(path)) continue;
    byMount.set(path, { device: unescapeOctal(device), mount: path, filesystem });
  }
  return [...byMount.values()];
}

const unescapeOctal = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
