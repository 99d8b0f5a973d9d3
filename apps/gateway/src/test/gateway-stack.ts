import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployMigrations } from '@fleetplane/prisma-migrate';
import {
  freePort,
  spawnProcess,
  startNats,
  startPostgres,
  startRedis,
  type ManagedProcess,
  type ServerHandle,
  SERVICE_NODE_ARGS,
} from '@fleetplane/test-harness';
import { conformanceOf } from './response-conformance.js';
import { startFakeAgentHub, startFakeCommand, type FakeServer, type SeenSubmit } from './fake-peers.js';
import { startFakeBackup } from './fake-backup.js';
import { startFakeTelemetry } from './fake-telemetry.js';
import { startFakeTiles } from './fake-tiles.js';

// The built gateway as its own process against real PostgreSQL, Redis and NATS, with real
// gRPC servers (canned answers, fake-peers.ts) standing in for command and agent-hub.
// Shared by the integration tests (gateway.int.spec.ts, fuzz.int.spec.ts, audit/audit.int.spec.ts).

export const appDir = new URL('../../', import.meta.url).pathname;
export const JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

export interface GatewayStack {
  gateway: ManagedProcess;
  /** `http://127.0.0.1:<HTTP_PORT>` */
  base: string;
  /** The gateway's /metrics, on METRICS_PORT (off the public HTTP port). */
  metricsUrl: string;
  natsUrl: string;
  /** The gateway's Redis, for tests that stop it (a replacement on the same port is theirs to stop, through `onStop`). */
  redis: ServerHandle;
  /** The gateway's own database, for tests that reach into it (runSql from the test harness). */
  databaseUrl: string;
  /** Where the gateway spools audit rows the database refused (a temp dir of this stack). */
  auditSpoolDir: string;
  commandPeer: FakeServer;
  hubPeer: FakeServer;
  /** Canned tile-worker answers, unless `env` points TILES_GRPC_URL at a real one. */
  tilesPeer: FakeServer;
  /** Stops the gateway, the peers and the servers; what a test added with `onStop` first. */
  stop(): Promise<void>;
  onStop(stop: () => Promise<unknown>): void;
}

/** Starts everything and waits for the gateway's /ready. `env` is added to the gateway's environment. */
export async function startGatewayStack(opts: {
  admin: { email: string; password: string };
  env?: Record<string, string>;
  seen?: SeenSubmit[];
}): Promise<GatewayStack> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0)) await s().catch(() => undefined);
  };
  try {
    const [postgres, redis, natsServer] = await Promise.all([startPostgres(), startRedis(), startNats()]);
    stops.push(
      () => postgres.stop(),
      () => redis.stop(),
      () => natsServer.stop(),
    );
    const databaseUrl = await postgres.createDatabase('gateway');
    await deployMigrations({ schemaPath: join(appDir, 'prisma/schema.prisma'), migrationsDir: join(appDir, 'prisma/migrations'), databaseUrl });
    const hubPeer = await startFakeAgentHub();
    const commandPeer = await startFakeCommand(opts.seen ?? []);
    const tilesPeer = await startFakeTiles();
    const telemetryPeer = await startFakeTelemetry();
    const backupPeer = await startFakeBackup();
    stops.push(
      () => backupPeer.stop(),
      () => hubPeer.stop(),
      () => commandPeer.stop(),
      () => tilesPeer.stop(),
      () => telemetryPeer.stop(),
    );
    const auditSpoolDir = await mkdtemp(join(tmpdir(), 'gateway-audit-spool-'));
    stops.push(() => rm(auditSpoolDir, { recursive: true, force: true }));
    const [port, metricsPort] = [await freePort(), await freePort()];
    const base = `http://127.0.0.1:${port}`;
    const gateway = spawnProcess('gateway', process.execPath, [...SERVICE_NODE_ARGS], {
      cwd: appDir,
      env: {
        OTEL_SERVICE_NAME: 'gateway',
        HTTP_PORT: String(port),
        METRICS_PORT: String(metricsPort),
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        NATS_URL: natsServer.url,
        COMMAND_GRPC_URL: commandPeer.address,
        AGENT_HUB_GRPC_URL: hubPeer.address,
        TILES_GRPC_URL: tilesPeer.address,
        TELEMETRY_GRPC_URL: telemetryPeer.address,
        BACKUP_GRPC_URL: backupPeer.address,
        JWT_SECRET,
        ADMIN_EMAIL: opts.admin.email,
        ADMIN_PASSWORD: opts.admin.password,
        AUDIT_SPOOL_DIR: auditSpoolDir,
        ...opts.env,
      },
    });
    stops.unshift(() => gateway.stop());
    // 60 s as devstack waits: the first gateway of a fresh clone's CI run, started while the other
    // worker boots its own servers, once took over the harness's default 20 s to load.
    await gateway.waitForHttp(`${base}/ready`, 60_000);
    return {
      gateway,
      base,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      natsUrl: natsServer.url,
      redis,
      databaseUrl,
      auditSpoolDir,
      commandPeer,
      hubPeer,
      tilesPeer,
      stop,
      onStop: (s) => stops.unshift(s),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `body` is what the route answers with the status the test expects: the caller names it (T), unknown by default. */
export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  /** The body as sent (empty for none). */
  text: string;
}

export interface CallOptions {
  /** JSON-encoded unless a string, which is sent as it is. */
  body?: unknown;
  token?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Skip holding the answer against the OpenAPI document (for answers no document can promise, e.g. a 5xx provoked on purpose). */
  undocumented?: true;
}

/**
 * One HTTP request to the gateway at `base`, JSON in (content-type set unless `headers` names one) and JSON out.
 * The answer is held against the gateway's own OpenAPI document (test/response-conformance.ts): an
 * undocumented status or a body off its schema fails the calling test.
 */
export async function callGateway<T = unknown>(base: string, method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, opts.headers);
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['x-api-key'] = opts.apiKey;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!opts.undocumented) {
    const problem = (await conformanceOf(base)).problem(method, path, res.status, res.headers, body);
    if (problem) throw new Error(`${method} ${path} answered ${res.status} unlike the OpenAPI document: ${problem}\n${text.slice(0, 500)}`);
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
}
