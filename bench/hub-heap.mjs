// What one agent session costs the hub, object by object: a heap snapshot of an idle hub and one
// with N simulated agents connected (--heapsnapshot-signal), compared by constructor
// (bench/heap-diff.mjs), each count and size divided by N.
//
//   node bench/hub-heap.mjs [--agents 5000] [--top 25]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { heapByConstructor, heapGrowth } from './heap-diff.mjs';
import { ROOT, seedAgents, sleep, startHubStack, startSims, waitConnected } from './hub-lib.mjs';

const { values } = parseArgs({ options: { agents: { type: 'string', default: '5000' }, top: { type: 'string', default: '25' } } });
const n = Number(values.agents);
const dir = mkdtempSync(join(tmpdir(), 'hub-heap-'));
const HUB_DIR = join(ROOT, 'apps', 'agent-hub');
const snapshots = () => readdirSync(HUB_DIR).filter((f) => f.endsWith('.heapsnapshot'));

/** SIGUSR2 → the hub writes Heap.<date>.<pid>…heapsnapshot into its working directory. */
async function snapshot(pid) {
  const before = new Set(snapshots());
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 600; i++) {
    await sleep(500);
    const fresh = snapshots().filter((f) => !before.has(f));
    // Written when its size stops changing.
    if (fresh.length > 0) {
      await sleep(3_000);
      return join(HUB_DIR, fresh[0]);
    }
  }
  throw new Error('no heap snapshot written');
}

const stack = await startHubStack({ nodeArgs: ['--heapsnapshot-signal=SIGUSR2'] });
try {
  await seedAgents(stack.databaseUrl, n, join(dir, 'agents.txt'));
  const hub = await stack.launch();
  await sleep(3_000);
  const idle = await snapshot(hub.pid);
  const sims = startSims({
    wsUrl: stack.wsUrl,
    n,
    file: join(dir, 'agents.txt'),
    args: ['--heartbeat', '15s', '--telemetry', 'off', '--connect-rate', '1000'],
  });
  try {
    if ((await waitConnected(sims, n, 180_000)) === null) throw new Error(`only ${sims.totals().connected} of ${n} connected`);
    await sleep(15_000);
    const loaded = await snapshot(hub.pid);
    const a = heapByConstructor(idle);
    const b = heapByConstructor(loaded);
    const rows = heapGrowth(a, b, Number(values.top));
    console.log(
      `## Heap per agent session (${n} agents; heap ${(a.total / 1048576).toFixed(1)} → ${(b.total / 1048576).toFixed(1)} MiB, ${((b.total - a.total) / n).toFixed(0)} B per agent)\n`,
    );
    console.log('| constructor / type | objects per agent | bytes per agent |\n|---|---:|---:|');
    for (const r of rows) console.log(`| ${r.key} | ${(r.count / n).toFixed(2)} | ${(r.size / n).toFixed(0)} |`);
  } finally {
    await sims.stop();
  }
} finally {
  await stack.stop();
  for (const f of snapshots()) rmSync(join(HUB_DIR, f));
}
