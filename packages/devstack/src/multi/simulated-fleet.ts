import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../fleet.js';

// The slice of @fleetplane/fleet-sim the multi-instance run drives. fleet-sim's own tests start a
// fleet with this package (a devDependency of fleet-sim), so this package cannot depend on
// fleet-sim in turn (the workspace graph must stay acyclic for turbo): it loads fleet-sim's
// build at run time instead, typed by these few lines.

export interface SimCredential {
  id: string;
  site: string;
  token: string;
}

export interface SimSummary {
  agents: number;
  connected: number;
  reconnects: number;
  telemetrySent: number;
  commandsReceived: number;
  commandsAnswered: number;
  commandsFailed: number;
  resultsResent: number;
  hubErrors: Record<string, number>;
  droppedByCode: Record<string, number>;
}

export interface SimulatedFleet {
  start(): void;
  summary(): SimSummary;
  whenAllConnected(timeoutMs: number): Promise<void>;
  stop(graceMs?: number): Promise<SimSummary>;
}

export interface SimOptions {
  hubUrl: string;
  heartbeatMs?: number;
  telemetryMs?: number;
  connectPerSecond?: number;
  command?: { latencyMs?: number; outputBytes?: number; failureRate?: number };
  backoff?: { baseMs?: number; maxMs?: number; firstReconnectWindowMs?: number };
  tickMs?: number;
}

interface FleetSimModule {
  FleetSimulator: new (credentials: SimCredential[], options: SimOptions) => SimulatedFleet;
  enrollThroughGateway: (
    opts: { gatewayUrl: string; email?: string; password?: string; bearer?: string },
    agents: Array<{ id: string; site: string }>,
    parallel?: number,
  ) => Promise<SimCredential[]>;
}

/** fleet-sim's build (packages/fleet-sim/dist): `pnpm run build` makes it, as it makes every package. */
export async function loadFleetSim(): Promise<FleetSimModule> {
  const entry = pathToFileURL(join(REPO_ROOT, 'packages', 'fleet-sim', 'dist', 'index.js')).href;
  return (await import(entry)) as FleetSimModule;
}
