import type { Hello } from '@fleetplane/contracts';

const SITES = ['par-1', 'fra-1', 'ams-1', 'lon-1', 'nyc-1'];
const KERNELS = ['6.1.0-28-amd64 #1 SMP Debian 6.1.119-1', '6.8.0-49-generic #49-Ubuntu SMP', '5.15.0-126-generic #136-Ubuntu SMP'];
const ROLES = ['web', 'db', 'cache', 'worker', 'edge'];

/**
 * A plausible inventory for the i-th simulated agent: sites, kernels and roles spread round-robin, so
 * registry filters and summaries over a simulated fleet have something to group by. Deterministic, so
 * a test knows which agent is where.
 */
export function simulatedInventory(i: number, site?: string): Hello['inventory'] {
  return {
    site: site ?? SITES[i % SITES.length]!,
    os: 'linux',
    kernel: KERNELS[i % KERNELS.length]!,
    version: '0.1.0-sim',
    capabilities: ['exec', 'service.status', 'service.restart', 'file.read'],
    containerEngine: i % 3 === 0 ? 'docker' : '',
    labels: { role: ROLES[i % ROLES.length]!, simulated: 'true' },
  };
}
