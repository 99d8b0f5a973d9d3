import type { ServiceName } from '../fleet.js';
import type { CommandLoad } from './command-load.js';
import type { MultiSystem } from './multi-system.js';
import { until } from '@fleetplane/test-harness';
import { agentsByHub, executionStates, storedSamples } from './system-checks.js';

/** One crash: what is killed, how to tell that the path it served works again, and how it comes back. */
export interface KillStep {
  what: string;
  kill(): Promise<void>;
  /** Resolves once the path through the killed part works again (with one instance or node fewer). */
  recovered(killedAt: number): Promise<void>;
  restart(): Promise<unknown>;
}

/** Samples of the simulated agents (whose ids start with this) are what telemetry is checked on. */
export const SIM_PREFIX = 'multi-sim-';

/**
 * The crashes of the multi-instance run, in order: NATS node 0, then instance 0 of the gateway,
 * command, telemetry, backup and tile-worker; `hubStep` is kept apart because a hub's death takes
 * what its sockets held with it. "Recovered" is judged on the path the killed part served: a
 * command accepted after the kill completes (NATS, gateway, command, agent-hub), a sample taken
 * after it is stored (telemetry), the backup list and the tile statistics answer through the
 * gateway (backup, tile-worker).
 */
export function killSteps(system: MultiSystem, load: CommandLoad): KillStep[] {
  const { fleet, cluster } = system;
  const gatewayGet = async (path: string) => {
    const res = await fetch(`${fleet.gatewayUrl}${path}`, {
      headers: { authorization: `Bearer ${system.gateway.bearer}` },
      signal: AbortSignal.timeout(5_000),
    });
    await res.body?.cancel();
    return res.status;
  };
  const steps: KillStep[] = [
    { what: 'nats node 0', kill: () => cluster.kill(0), recovered: (t) => commandCompletedAfter(system, load, t), restart: () => cluster.restart(0) },
  ];
  const service = (name: ServiceName, recovered: (t: number) => Promise<void>) =>
    steps.push({ what: `${name}-0`, kill: () => fleet.kill(name, 0), recovered, restart: () => fleet.restart(name, 0) });
  service('gateway', (t) => commandCompletedAfter(system, load, t));
  service('command', (t) => commandCompletedAfter(system, load, t));
  service('telemetry', async (t) => {
    await until(
      'a sample taken after the kill stored',
      () => storedSamples(fleet, SIM_PREFIX, t, Date.now()),
      (n) => n > 0,
    );
  });
  service('backup', async () => {
    await until(
      'GET /backups answered',
      () => gatewayGet('/api/v1/backups'),
      (s) => s === 200,
    );
  });
  service('tile-worker', async () => {
    await until(
      'GET /tiles/stats answered',
      () => gatewayGet('/api/v1/tiles/stats'),
      (s) => s === 200,
    );
  });
  return steps;
}

/** The hub's crash: recovered once every agent is connected again, all to the surviving hub, and a command completes. */
export function hubStep(system: MultiSystem, load: CommandLoad): KillStep {
  const agents = system.simIds.length + system.referenceIds.length;
  return {
    what: 'agent-hub-0',
    kill: () => system.fleet.kill('agent-hub', 0),
    async recovered(t) {
      await until(
        'every agent back, on the surviving hub',
        () => agentsByHub(system.fleet, ''),
        (h) => Object.keys(h).length === 1 && Object.values(h)[0]!.length === agents,
      );
      await commandCompletedAfter(system, load, t);
    },
    restart: () => system.fleet.restart('agent-hub', 0),
  };
}

/**
 * Resolves when some command accepted after `t` has completed: the command path works again. Not
 * necessarily the first one: a command whose dispatch job the killed instance held waits for
 * BullMQ's stalled check (its lock lapsing, up to a minute) — delayed, not lost, and the final
 * checks wait for it.
 */
export async function commandCompletedAfter(system: MultiSystem, load: CommandLoad, t: number): Promise<void> {
  await until(
    'a command accepted after the kill completed',
    async (): Promise<Record<string, number>> => {
      const ids = load.accepted.filter((c) => c.acceptedAt >= t).map((c) => c.id);
      return ids.length === 0 ? {} : executionStates(system.fleet, ids);
    },
    (s) => (s.COMPLETED ?? 0) > 0,
  );
}

/** Runs one step; resolves the milliseconds from the kill to the recovered path (the restart is not counted). */
export async function runStep(step: KillStep): Promise<number> {
  const t = Date.now();
  await step.kill();
  try {
    await step.recovered(t);
  } catch (err) {
    throw new Error(`after killing ${step.what}: ${(err as Error).message}`, { cause: err });
  }
  const ms = Date.now() - t;
  await step.restart();
  return ms;
}
