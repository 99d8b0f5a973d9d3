import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { agentHubV1, createGrpcClient, unary, type GrpcClient } from '@fleetplane/contracts/grpc';
import { TestAgentSocket } from '../testing/agent-socket.js';
import { startHubUnderTest, type HubUnderTest } from '../testing/hub-process.js';

// GetFleetStatistics on the built hub process, real PostgreSQL and NATS, with
// presence made by real agent sockets.

const inventory = (site: string, os: string) => ({ site, os, kernel: '6', version: '1', capabilities: [], containerEngine: '', labels: {} });

describe('FleetStatisticsService (process, real PostgreSQL + NATS)', () => {
  let hub: HubUnderTest;
  let client: GrpcClient;
  const sockets: TestAgentSocket[] = [];
  const statistics = () => unary<agentHubV1.GetFleetStatisticsResponse>(client, 'getFleetStatistics', {});

  /** Opens an agent's socket with the given os in its HELLO and waits for HELLO_ACK. */
  async function connect(agentId: string, token: string, site: string, os: string): Promise<TestAgentSocket> {
    const socket = await TestAgentSocket.open(hub.wsUrl);
    sockets.push(socket);
    socket.sendFrame({ type: 'HELLO', agentId, token, inventory: inventory(site, os) });
    await socket.next('HELLO_ACK');
    return socket;
  }

  beforeAll(async () => {
    hub = await startHubUnderTest();
    client = await createGrpcClient('agentHub', hub.grpcAddress, agentHubV1.FLEET_STATISTICS_SERVICE_NAME);
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    client?.close();
    await hub?.stop();
  });

  it('answers zeros and no groups for a hub with no agents', async () => {
    const res = await statistics();
    expect(res).toMatchObject({ agents: { total: 0, connected: 0 }, bySite: [], byOs: [] });
    expect(Date.parse(res.generatedAt)).not.toBeNaN();
  });

  it('counts agents by site and by os, connected being a live session', async () => {
    const token = async (agentId: string, site = '') => (await hub.grpc.enrollAgent({ agentId, site })).token;
    const [par1, par2, lon1] = [await token('par-1', 'par'), await token('par-2', 'par'), await token('lon-1', 'lon')];
    await token('bare-1'); // no site, never connected: no os reported either
    await connect('par-1', par1, 'par', 'linux');
    await connect('lon-1', lon1, 'lon', 'windows');
    const left = await connect('par-2', par2, 'par', 'linux');
    left.close();
    await left.closed;

    // The close is stored once the hub has handled it: ask until it shows.
    let res = await statistics();
    for (let i = 0; i < 50 && res.agents?.connected !== 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await statistics();
    }
    expect(res.agents).toEqual({ total: 4, connected: 2 });
    expect(res.bySite).toEqual([
      { key: 'par', total: 2, connected: 1 },
      { key: '', total: 1, connected: 0 },
      { key: 'lon', total: 1, connected: 1 },
    ]);
    expect(res.byOs).toEqual([
      { key: 'linux', total: 2, connected: 1 },
      { key: '', total: 1, connected: 0 },
      { key: 'windows', total: 1, connected: 1 },
    ]);
  });

  // Last: PostgreSQL does not come back.
  it('answers UNAVAILABLE while PostgreSQL is down', async () => {
    await hub.stopPostgres();
    await expect(statistics()).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });
});
