#!/usr/bin/env node
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, shutdownTracing } from '@fleetplane/observability/node';
import { startAgent } from './agent.js';
import { loadAgentConfig } from './config.js';
import { argsToEnv } from './enrollment/cli-args.js';
import { resolveIdentity } from './enrollment/identity.js';

// Enough to flush spans; the SDK's default OTLP metrics exporter retries an
// absent collector for ~10 s on shutdown, which must not hold the agent up.
const TRACING_FLUSH_MS = 3_000;

const args = argsToEnv(process.argv.slice(2));
if (!args.ok) {
  process.stderr.write(`${args.message}\n`);
  process.exit(1);
}
const loaded = loadAgentConfig({ ...process.env, ...args.env });
if (!loaded.ok) {
  process.stderr.write(`${loaded.message}\n`);
  process.exit(1);
}
// Commands inherit the agent's environment, but never its credential or enrollment token.
const childEnv = { ...process.env };
delete childEnv.AGENT_TOKEN;
delete childEnv.FLEETPLANE_ENROLLMENT_TOKEN;

const bootLog = createLogger('agent');
let identity;
try {
  identity = await resolveIdentity(loaded.config, {
    onRetry: (delayMs, why) => bootLog.warn({ delayMs, why }, 'enrollment: hub unavailable, retrying'),
  });
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
if (identity.source === 'enrolled') bootLog.info({ agentId: identity.agentId, stateDir: loaded.config.AGENT_STATE_DIR }, 'enrolled; credential stored');

const agent = startAgent(loaded.config, identity, childEnv);
const stop = () => agent.stop();
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

const reason = await agent.done;
await Promise.race([shutdownTracing(), sleep(TRACING_FLUSH_MS)]);
process.exit(reason === 'stopped' ? 0 : 1);
