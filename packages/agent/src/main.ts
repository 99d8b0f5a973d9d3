#!/usr/bin/env node
import { setTimeout as sleep } from 'node:timers/promises';
import { shutdownTracing } from '@fleetplane/observability/node';
import { startAgent } from './agent.js';
import { loadAgentConfig } from './config.js';

// Enough to flush spans; the SDK's default OTLP metrics exporter retries an
// absent collector for ~10 s on shutdown, which must not hold the agent up.
const TRACING_FLUSH_MS = 3_000;

const loaded = loadAgentConfig();
if (!loaded.ok) {
  process.stderr.write(`${loaded.message}\n`);
  process.exit(1);
}
// Commands inherit the agent's environment, but never its credential.
const childEnv = { ...process.env };
delete childEnv.AGENT_TOKEN;

const agent = startAgent(loaded.config, childEnv);
const stop = () => agent.stop();
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

const reason = await agent.done;
await Promise.race([shutdownTracing(), sleep(TRACING_FLUSH_MS)]);
process.exit(reason === 'stopped' ? 0 : 1);
