import { z } from 'zod';

/**
 * The JSON document the `system.info` verb writes to stdout: facts the agent
 * collects in-process (node:os, /proc, /etc/os-release, statfs), so the CLI and
 * the gateway can parse one shape instead of scraping `uname -a`. A part the
 * host cannot tell is empty/null, never a guess.
 */
const bytes = z.number().int().nonnegative();

export const systemInfoSchema = z.object({
  collectedAt: z.iso.datetime({ offset: true }),
  hostname: z.string(),
  /** From /etc/os-release (empty strings where the file or a key is missing). */
  os: z.object({
    platform: z.string(),
    id: z.string(),
    name: z.string(),
    version: z.string(),
    versionId: z.string(),
    prettyName: z.string(),
  }),
  kernel: z.object({ release: z.string(), version: z.string() }),
  architecture: z.string(),
  cpu: z.object({ model: z.string(), count: z.number().int().nonnegative() }),
  memory: z.object({ totalBytes: bytes, availableBytes: bytes }),
  /** Mounted block-device filesystems (not proc, sysfs, tmpfs, overlay…). */
  disks: z.array(
    z.object({
      mount: z.string(),
      device: z.string(),
      filesystem: z.string(),
      sizeBytes: bytes,
      usedBytes: bytes,
      availableBytes: bytes,
    }),
  ),
  network: z.array(
    z.object({
      name: z.string(),
      mac: z.string(),
      addresses: z.array(z.object({ address: z.string(), family: z.enum(['IPv4', 'IPv6']), cidr: z.string().nullable(), internal: z.boolean() })),
    }),
  ),
  uptimeSeconds: z.number().nonnegative(),
  /** Each of docker and podman found on PATH, with what `<engine> version` said (null when it failed or timed out). */
  containerEngines: z.array(z.object({ name: z.enum(['docker', 'podman']), version: z.string().nullable() })),
});
export type SystemInfo = z.infer<typeof systemInfoSchema>;
