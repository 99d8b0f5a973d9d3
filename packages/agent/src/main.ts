#!/usr/bin/env node
import { shutdownTracing } from '@fleetplane/observability';
import { startAgent } from './agent.js';
import { loadAgentConfig } from './config.js';

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
await shutdownTracing();
process.exit(reason === 'stopped' ? 0 : 1);
