import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@fleetplane/observability/node';
import type { AgentConfig } from './config.js';
import type { AgentIdentity } from './enrollment/identity.js';
import { inventory } from './host/inventory.js';
import { TelemetrySampler } from './host/telemetry-sampler.js';
import { REFERENCE_AGENT_FEATURES } from '@fleetplane/contracts';
import { ExecutionManager } from './exec/execution-manager.js';
import { collectSystemInfo } from './host/system-info/collect.js';
import { HubClient, type StopReason } from './hub/hub-client.js';
import { ExecutionJournal } from './state/execution-journal.js';

export interface RunningAgent {
  /** Resolves when the agent stops for good, with the reason. */
  done: Promise<StopReason>;
  stop(): void;
}

const HOUR_MS = 3_600_000;
/** Stopping: how long the journal stays open for stopped processes to report (SIGKILL comes 5 s after SIGTERM). */
const SETTLE_MS = 10_000;

/** Wires the pieces: host inventory and telemetry, the hub connection, the execution journal and manager. */
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
  const journal = ExecutionJournal.open(config.AGENT_STATE_DIR, { retentionMs: config.AGENT_EXECUTION_RETENTION_HOURS * HOUR_MS });
  const pruning = setInterval(() => journal.prune(), HOUR_MS).unref();
  // The manager reports through the client, which hands it commands: neither calls the other before both exist.
  const executions: ExecutionManager = new ExecutionManager({
    journal,
    link: { send: (body) => client.send(body), features: () => client.features() },
    capabilities: inv.capabilities,
    log,
    maxConcurrent: config.AGENT_MAX_CONCURRENT_EXECUTIONS,
    maxQueued: config.AGENT_MAX_QUEUED_EXECUTIONS,
    outputBacklogBytes: config.AGENT_OUTPUT_BACKLOG_BYTES,
    systemInfo: () => collectSystemInfo({ env: childEnv }),
    baseEnv: childEnv,
  });
  const client: HubClient = new HubClient({
    url: config.HUB_URL,
    agentId: identity.agentId,
    token: identity.token,
    inventory: inv,
    sample: () => sampler.sample(),
    features: REFERENCE_AGENT_FEATURES,
    onCommand: (cmd) => executions.onCommand(cmd),
    onCancel: (c) => executions.onCancel(c),
    onResultAck: (id) => executions.onResultAck(id),
    onEstablished: () => executions.onEstablished(),
    log,
  });
  log.info({ hub: config.HUB_URL, capabilities: inv.capabilities, stateDir: config.AGENT_STATE_DIR }, 'agent starting');
  return {
    done: client.run().then(async (reason) => {
      // The processes stopped by stop() report after the socket closed; their results go to the journal.
      await Promise.race([executions.whenIdle(), sleep(SETTLE_MS)]);
      clearInterval(pruning);
      journal.close();
      return reason;
    }),
    stop: () => {
      executions.stop();
      client.stop();
    },
  };
}
