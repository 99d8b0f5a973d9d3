import { createLogger } from '@fleetplane/observability/node';
import type { AgentConfig } from './config.js';
import type { AgentIdentity } from './enrollment/identity.js';
import { inventory } from './host/inventory.js';
import { TelemetrySampler } from './host/telemetry-sampler.js';
import { HubClient, type StopReason } from './hub/hub-client.js';
import { CommandExecutor } from './process/command-executor.js';

export interface RunningAgent {
  /** Resolves when the agent stops for good, with the reason. */
  done: Promise<StopReason>;
  stop(): void;
}

/** Wires the pieces: host inventory and telemetry, the hub connection, the command executor. */
export function startAgent(
  config: AgentConfig,
  identity: Pick<AgentIdentity, 'agentId' | 'token' | 'site' | 'labels'>,
  childEnv: NodeJS.ProcessEnv,
): RunningAgent {
  const log = createLogger('agent').child({ agentId: identity.agentId });
  // Configured site and labels win; else those the enrollment token gave.
  const labels = Object.keys(config.AGENT_LABELS).length > 0 ? config.AGENT_LABELS : identity.labels;
  const inv = inventory(config.AGENT_SITE || identity.site, labels);
  const sampler = new TelemetrySampler();
  // The executor reports through the client, which hands it commands: neither calls the other before both exist.
  const executor = new CommandExecutor((r) => client.sendResult(r), inv.capabilities, log, undefined, childEnv);
  const client = new HubClient({
    url: config.HUB_URL,
    agentId: identity.agentId,
    token: identity.token,
    inventory: inv,
    sample: () => sampler.sample(),
    // Commands run concurrently, each with its own timeout.
    onCommand: (cmd) =>
      void executor.execute(cmd).catch((err: Error) => log.error({ err: err.message, executionId: cmd.executionId }, 'command failed to run')),
    log,
  });
  log.info({ hub: config.HUB_URL, capabilities: inv.capabilities }, 'agent starting');
  return {
    done: client.run(),
    stop: () => {
      executor.stop();
      client.stop();
    },
  };
}
