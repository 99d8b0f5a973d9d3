// Start-up of agent-hub with a large registry and the presence state a kill -9 leaves: N agents seeded,
// every one holding a session of a "killed" instance whose beat is still fresh. The hub is started
// twice (kill -9 between, the second start with V8's compile cache warm); for each start: when its port
// first answered (the starting listener's 503) and when /ready answered 2xx, from the spawn.
//
//   node bench/hub-startup.mjs [--agents 19500] [--cpu-prof DIR]   (--cpu-prof: stops with SIGTERM so the profile is written)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { parseArgs } from 'node:util';
import { runSql } from '../packages/test-harness/dist/index.js';
import { commitId, seedAgents, startHubStack } from './hub-lib.mjs';

const { values } = parseArgs({ options: { agents: { type: 'string', default: '19500' }, 'cpu-prof': { type: 'string' } } });
const n = Number(values.agents);
const prof = values['cpu-prof'];
const stack = await startHubStack({ env: { LOG_LEVEL: 'info', ...(prof ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${prof}` } : {}) } });
const rows = [];
try {
  await seedAgents(stack.databaseUrl, n, join(mkdtempSync(join(tmpdir(), 'hub-startup-')), 'agents.txt'));
  await runSql(stack.databaseUrl, `INSERT INTO hub_instances (id, started_at, last_beat_at) VALUES ('killed-1', now(), now())`);
  await runSql(
    stack.databaseUrl,
    `UPDATE agents SET session_id = gen_random_uuid()::text, connected_at = now(), last_seen_at = now(), hub_instance_id = 'killed-1', protocol_version = 1`,
  );
  const port = new URL(stack.wsUrl).port;
  for (const start of ['first', 'second (compile cache warm)']) {
    const t0 = performance.now();
    let firstAnswerMs;
    const poll = setInterval(
      () =>
        fetch(`http://127.0.0.1:${port}/ready`).then(
          () => (firstAnswerMs ??= performance.now() - t0),
          () => undefined,
        ),
      50,
    );
    const hub = await stack.launch();
    const readyMs = performance.now() - t0;
    clearInterval(poll);
    const nestLines = hub
      .output()
      .split('\n')
      .filter((l) => l.includes('"msg":"Starting Nest application') || l.includes('listening on http'));
    const at = nestLines.map((l) => Date.parse(/"time":"([^"]+)"/.exec(l)?.[1] ?? ''));
    rows.push({ start, firstAnswerMs: firstAnswerMs ?? readyMs, readyMs, nestMs: at.length === 2 ? at[1] - at[0] : NaN });
    await hub.stop(prof ? 'SIGTERM' : 'SIGKILL');
  }
} finally {
  await stack.stop();
}
console.log(`\n## agent-hub start-up, ${n.toLocaleString('en')} agents with sessions of a killed instance (${commitId()}, Node ${process.version})\n`);
console.log('| start | port first answered | /ready | of which Nest (create → listening) |');
console.log('|---|---:|---:|---:|');
for (const r of rows)
  console.log(`| ${r.start} | ${(r.firstAnswerMs / 1000).toFixed(1)} s | ${(r.readyMs / 1000).toFixed(1)} s | ${(r.nestMs / 1000).toFixed(2)} s |`);
