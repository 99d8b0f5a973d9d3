import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { diag } from '@opentelemetry/api';

/** Probe and scrape endpoints would drown real traffic in traces. */
export const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

/** What an enabled instrumentation is to the bootstrap: something that can be switched off again. */
export interface LoadedInstrumentation {
  disable(): void;
}

interface InstrumentationEntry {
  /** Modules whose ESM imports import-in-the-middle must intercept for this instrumentation. */
  modules: readonly string[];
  /** A service that declares one of these packages uses this instrumentation by default (none: always). */
  clients?: readonly string[];
  /** Imported only when enabled: an instrumentation costs memory even when its library never loads. */
  create(): Promise<LoadedInstrumentation>;
}

/**
 * The instrumentations fleetplane knows, under the names `OTEL_NODE_ENABLED_INSTRUMENTATIONS`
 * uses (the package name without `@opentelemetry/instrumentation-`).
 */
export const INSTRUMENTATIONS = {
  http: {
    modules: ['http', 'https', 'node:http', 'node:https'],
    async create() {
      const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
      return new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0] ?? ''),
      });
    },
  },
  grpc: {
    modules: ['@grpc/grpc-js'],
    clients: ['@grpc/grpc-js'],
    async create() {
      const { GrpcInstrumentation } = await import('@opentelemetry/instrumentation-grpc');
      return new GrpcInstrumentation();
    },
  },
  pg: {
    modules: ['pg'],
    // A Prisma client reaches PostgreSQL through pg (the driver adapter service-kit's PrismaModule passes it).
    clients: ['pg', '@prisma/adapter-pg', '@prisma/client'],
    async create() {
      const { PgInstrumentation } = await import('@opentelemetry/instrumentation-pg');
      return new PgInstrumentation({ requireParentSpan: true });
    },
  },
  ioredis: {
    modules: ['ioredis'],
    clients: ['ioredis', 'bullmq'],
    async create() {
      const { IORedisInstrumentation } = await import('@opentelemetry/instrumentation-ioredis');
      return new IORedisInstrumentation({ requireParentSpan: true });
    },
  },
} as const satisfies Record<string, InstrumentationEntry>;

export type InstrumentationName = keyof typeof INSTRUMENTATIONS;
const NAMES = Object.keys(INSTRUMENTATIONS) as InstrumentationName[];
const isName = (n: string): n is InstrumentationName => Object.hasOwn(INSTRUMENTATIONS, n);

function listFromEnv(env: NodeJS.ProcessEnv, key: string): string[] | undefined {
  const list = env[key]
    ?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return list?.length ? list : undefined;
}

/**
 * Which instrumentations to enable:
 * - `OTEL_NODE_ENABLED_INSTRUMENTATIONS` (comma-separated names), when set;
 * - else http, plus each one whose client library the service declares in its own
 *   package.json (`appDependencies`): a service shell gets http only;
 * - else, when the service's package.json is unknown (e.g. `node -e`), all of them;
 * minus `OTEL_NODE_DISABLED_INSTRUMENTATIONS`. Unknown names are warned about and skipped.
 */
export function selectInstrumentations(env: NodeJS.ProcessEnv, appDependencies: readonly string[] | undefined): InstrumentationName[] {
  const known = (key: string, names: string[]) =>
    names.filter((n) => {
      if (isName(n)) return true;
      diag.warn(`${key}: unknown instrumentation "${n}" (known: ${NAMES.join(', ')})`);
      return false;
    });
  const requested = listFromEnv(env, 'OTEL_NODE_ENABLED_INSTRUMENTATIONS');
  let enabled: InstrumentationName[];
  if (requested) enabled = known('OTEL_NODE_ENABLED_INSTRUMENTATIONS', requested) as InstrumentationName[];
  else if (appDependencies) {
    const deps = new Set(appDependencies);
    enabled = NAMES.filter((n) => {
      const clients: readonly string[] | undefined = (INSTRUMENTATIONS[n] as InstrumentationEntry).clients;
      return !clients || clients.some((c) => deps.has(c));
    });
  } else enabled = [...NAMES];
  const disabled = new Set(known('OTEL_NODE_DISABLED_INSTRUMENTATIONS', listFromEnv(env, 'OTEL_NODE_DISABLED_INSTRUMENTATIONS') ?? []));
  return [...new Set(enabled)].filter((n) => !disabled.has(n));
}

/**
 * The dependency names declared by the package.json nearest to `entry` (the script node
 * runs, `process.argv[1]`, e.g. apps/command/dist/main.js), or undefined
 * when there is no entry or no named package.json above it.
 */
export function appDependencies(entry: string | undefined): string[] | undefined {
  if (!entry) return undefined;
  for (let dir = dirname(resolve(entry)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      let pkg: { name?: unknown } & Record<string, unknown>;
      try {
        pkg = JSON.parse(readFileSync(file, 'utf8')) as typeof pkg;
      } catch {
        return undefined;
      }
      // A nameless package.json (e.g. `{"type":"module"}` in a build dir) only sets the module format.
      if (typeof pkg.name === 'string') {
        return [pkg.dependencies, pkg.optionalDependencies, pkg.peerDependencies].flatMap((d) => Object.keys((d as object | undefined) ?? {}));
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}
