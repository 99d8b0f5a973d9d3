import type { NetworkInterfaceInfo } from 'node:os';
import type { SystemInfo } from '@fleetplane/contracts';

/** os.networkInterfaces() as the system.info document lists it: one entry per interface, its MAC once. */
export function networkFacts(ifaces: NodeJS.Dict<NetworkInterfaceInfo[]>): SystemInfo['network'] {
  return Object.entries(ifaces)
    .filter((e): e is [string, NetworkInterfaceInfo[]] => e[1] !== undefined)
    .map(([name, addrs]) => ({
      name,
      mac: addrs.find((a) => a.mac && a.mac !== '00:00:00:00:00:00')?.mac ?? addrs[0]?.mac ?? '',
      addresses: addrs.map((a) => ({ address: a.address, family: a.family, cidr: a.cidr, internal: a.internal })),
    }));
}
