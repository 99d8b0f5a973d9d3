import { Global, Module, RequestMethod, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryModule, DiscoveryService, MetadataScanner, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NatsClient, NatsModule } from '@fleetplane/service-kit/nats';
import { PrismaModule } from '@fleetplane/service-kit/prisma';
import { RedisModule, redisToken } from '@fleetplane/service-kit/redis';
import { AppModule } from '../app.module.js';
import { AccessGuard, type RouteAccess } from '../auth/access.guard.js';
import { loadGatewayConfig } from '../config.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { API_PREFIX, configureHttp } from '../http/configure-http.js';

// The real AppModule, in-process, with only the connections to PostgreSQL,
// Redis and NATS swapped for inert stand-ins (nothing here sends a query), for
// the tests that hold every route Express ends up with against what should be
// there: route-coverage.spec.ts (access rules) and openapi.spec.ts (the document).

export const routesTestConfig = loadGatewayConfig({
  DATABASE_URL: 'postgresql://unused@127.0.0.1:1/unused',
  REDIS_URL: 'redis://127.0.0.1:1',
  NATS_URL: 'nats://127.0.0.1:1',
  JWT_SECRET: 'route-coverage-secret-0123456789abcdef',
  LOG_LEVEL: 'silent',
});

const CONNECTIONS: unknown[] = [PrismaModule, RedisModule, NatsModule];

@Global()
@Module({
  providers: [
    { provide: PrismaClient, useValue: {} },
    { provide: redisToken('default'), useValue: {} },
    { provide: NatsClient, useValue: { subscribe: () => undefined } },
  ],
  exports: [PrismaClient, redisToken('default'), NatsClient],
})
class InertConnections {}

/** The gateway as main.ts configures it, initialised but not listening. */
export async function startInertApp(): Promise<NestExpressApplication> {
  const appModule = AppModule.forRoot(routesTestConfig);
  const imports = (appModule.imports ?? []).filter((m) => !CONNECTIONS.includes((m as DynamicModule).module));
  @Module({ imports: [...imports, InertConnections, DiscoveryModule] })
  class AppWithInertConnections {}
  const app = await NestFactory.create<NestExpressApplication>(AppWithInertConnections, { logger: false });
  configureHttp(app, routesTestConfig);
  await app.init();
  return app;
}

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * `GET /api/v1/agents/:id`: what Express answers, after Nest registered
 * everything. Nest mounts middleware (request logs) as routes for every method
 * at once; those are left out, and a path registered more than once counts once.
 */
export function expressRoutes(app: NestExpressApplication): string[] {
  const stack = (app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } }).router.stack;
  const routes = stack.flatMap((layer) => {
    const methods = Object.entries(layer.route?.methods ?? {}).filter(([, on]) => on);
    return methods.length === 1 ? [`${methods[0]![0].toUpperCase()} ${layer.route!.path}`] : [];
  });
  return [...new Set(routes)];
}

export interface Handler {
  method: string;
  /** Controller and method path without the global prefix: `agents/:id`. */
  path: string;
  /** `AgentsController.get` */
  where: string;
  controller: Type;
  /** The method's name on the controller's prototype. */
  name: string;
  access: RouteAccess;
}

const join = (...parts: string[]) =>
  parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
const asList = (p: string | string[] | undefined) => (Array.isArray(p) ? p : [p ?? '']);

/** Every controller method Nest routes, with what the guard reads on it. */
export function routeHandlers(app: INestApplication): Handler[] {
  const guard = app.get(AccessGuard);
  const scanner = new MetadataScanner();
  return app
    .get(DiscoveryService)
    .getControllers()
    .flatMap((wrapper) => {
      const controller = wrapper.metatype as Type;
      const prototype = controller.prototype as Record<string, () => unknown>;
      return scanner.getAllMethodNames(prototype).flatMap((name) => {
        const handler = prototype[name]!;
        const methodPaths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (methodPaths === undefined) return [];
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const access = guard.accessOf(handler, controller);
        return asList(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined).flatMap((base) =>
          asList(methodPaths).map((path) => ({ method, path: join(base, path), where: `${controller.name}.${name}`, controller, name, access })),
        );
      });
    });
}

/** The Express routes, each with the controller methods behind it: matched by method and path, with or without the global prefix (health, ready, metrics and the API description have none). */
export function routesWithHandlers(app: NestExpressApplication): Array<{ route: string; handlers: Handler[] }> {
  const handlers = routeHandlers(app);
  return expressRoutes(app).map((route) => ({
    route,
    handlers: handlers.filter((h) => [`${h.method} /${h.path}`, `${h.method} /${API_PREFIX}/${h.path}`].includes(route)),
  }));
}
