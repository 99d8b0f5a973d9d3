import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveBinary } from './binaries.js';
import { spawnChild, stopChild, type Child } from './children.js';
import { OutputBuffer } from './output-buffer.js';
import { freePort } from './ports.js';
import { OwnedDirs } from './server-handle.js';
import { makeTempDir } from './temp-dir.js';
import { waitUntilReady } from './wait.js';

export interface NatsClusterOptions {
  /** Servers in the cluster (default 3: the smallest that keeps an R3 stream writable with one down). */
  nodes?: number;
  /** The cluster's name, also the prefix of each node's name (`<name>-<index>`). */
  name?: string;
  /** Each node's stdout+stderr is appended to `<logDir>/nats-<index>.log` too. */
  logDir?: string;
}

export interface NatsClusterNode {
  index: number;
  name: string;
  /** nats://127.0.0.1:<port> for clients. */
  url: string;
  port: number;
  clusterPort: number;
  /** /healthz and friends. */
  monitorPort: number;
  storeDir: string;
  /** False between kill(index) and restart(index). */
  running: boolean;
}

export interface NatsCluster {
  nodes: readonly NatsClusterNode[];
  /** Every node's client URL: what a client is given so it can fail over. */
  urls: string[];
  /** The same, comma-separated: the form NATS_URL takes. */
  url: string;
  /** SIGKILL: no shutdown, no leadership hand-over; the node's store stays as the crash left it. */
  kill(index: number): Promise<void>;
  /** Starts a killed (or stopped) node again on the same ports and store; resolves once it is healthy again. */
  restart(index: number): Promise<void>;
  /** Resolves when every running node answers /healthz (JetStream current with its peers). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node (SIGTERM, SIGKILL after 5 s) and removes the store dirs the harness created. */
  stop(): Promise<void>;
}

const KILL_AFTER_MS = 5_000;
const READY_TIMEOUT_MS = 30_000;

/** One node's configuration file: JetStream with its own store, routes to every other node on loopback. */
function nodeConfig(node: NatsClusterNode, clusterName: string, routes: string[]): string {
  const base = [
    `server_name: ${JSON.stringify(node.name)}`,
    `listen: "127.0.0.1:${node.port}"`,
    `http: "127.0.0.1:${node.monitorPort}"`,
    `jetstream { store_dir: ${JSON.stringify(node.storeDir)} }`,
  ];
  // One node is a plain server: JetStream refuses a cluster block without routes.
  if (routes.length === 0) return [...base, ''].join('\n');
  return [
    ...base,
    'cluster {',
    `  name: ${JSON.stringify(clusterName)}`,
    `  listen: "127.0.0.1:${node.clusterPort}"`,
    `  routes: [${routes.map((r) => JSON.stringify(r)).join(', ')}]`,
    '}',
    '',
  ].join('\n');
}

/** /healthz answers 200 once the node has a JetStream meta leader and its streams and consumers are current. */
async function healthy(monitorPort: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${monitorPort}/healthz`, { signal: AbortSignal.timeout(1_000) });
  await res.body?.cancel();
  return res.ok;
}

/**
 * Starts a NATS cluster on loopback: every node runs JetStream with its own store dir, routes to
 * all the others and has a name of its own (`<name>-<index>`), which JetStream clustering needs.
 * Ready means every node answers /healthz, i.e. the cluster has elected its meta leader.
 */
export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<NatsCluster> {
  const count = opts.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`startNatsCluster: nodes must be a positive integer, got ${count}`);
  const clusterName = opts.name ?? 'fleetplane';
  const bin = resolveBinary('nats-server');
  const owned = new OwnedDirs();
  const root = owned.add(makeTempDir('nats-cluster'));

  const nodes: NatsClusterNode[] = [];
  for (let index = 0; index < count; index++) {
    const storeDir = join(root, `node-${index}`, 'jetstream');
    mkdirSync(storeDir, { recursive: true });
    nodes.push({
      index,
      name: `${clusterName}-${index}`,
      port: await freePort(),
      clusterPort: await freePort(),
      monitorPort: await freePort(),
      url: '',
      storeDir,
      running: false,
    });
  }
  for (const node of nodes) node.url = `nats://127.0.0.1:${node.port}`;
  const configFiles = nodes.map((node) => {
    const routes = nodes.filter((n) => n !== node).map((n) => `nats-route://127.0.0.1:${n.clusterPort}`);
    const file = join(root, `node-${node.index}`, 'nats.conf');
    writeFileSync(file, nodeConfig(node, clusterName, routes));
    return file;
  });

  const children: Array<Child | undefined> = nodes.map(() => undefined);
  const nodeAt = (index: number): NatsClusterNode => {
    const node = nodes[index];
    if (!node) throw new Error(`no NATS node ${index} (the cluster has ${count})`);
    return node;
  };
  const spawnNode = (node: NatsClusterNode): Child => {
    const output = new OutputBuffer(opts.logDir ? join(opts.logDir, `nats-${node.index}.log`) : undefined);
    const child = spawnChild(bin, ['-c', configFiles[node.index]!], {}, output);
    children[node.index] = child;
    node.running = true;
    return child;
  };
  const waitNode = (node: NatsClusterNode, timeoutMs = READY_TIMEOUT_MS) =>
    waitUntilReady(`nats-server ${node.name} on port ${node.port}`, children[node.index]!, () => healthy(node.monitorPort), timeoutMs, 100);
  const stopNode = async (node: NatsClusterNode, signal: NodeJS.Signals): Promise<void> => {
    const child = children[node.index];
    node.running = false;
    if (!child) return;
    children[node.index] = undefined;
    await stopChild(child, signal, KILL_AFTER_MS);
    await child.output.close();
  };
  const stopAll = async () => {
    await Promise.all(nodes.map((n) => stopNode(n, 'SIGTERM')));
    await owned.removeAll();
  };

  try {
    // All at once: a JetStream node waits for its peers before it reports healthy.
    for (const node of nodes) spawnNode(node);
    await Promise.all(nodes.map((n) => waitNode(n)));
  } catch (err) {
    await Promise.all(nodes.map((n) => stopNode(n, 'SIGKILL')));
    await owned.removeAll();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  const urls = nodes.map((n) => n.url);
  return {
    nodes,
    urls,
    url: urls.join(','),
    async kill(index) {
      await stopNode(nodeAt(index), 'SIGKILL');
    },
    async restart(index) {
      const node = nodeAt(index);
      if (node.running) await stopNode(node, 'SIGTERM');
      spawnNode(node);
      await waitNode(node);
    },
    async waitHealthy(timeoutMs = READY_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      for (const node of nodes.filter((n) => n.running)) {
        await waitNode(node, Math.max(1, deadline - Date.now()));
      }
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}
