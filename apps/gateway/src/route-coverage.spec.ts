import type { NestExpressApplication } from '@nestjs/platform-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from './app.module.js';
import { routeHandlers, routesTestConfig, routesWithHandlers, startInertApp, type Handler } from './test/app-routes.js';

// Every route Express ends up with, in the real AppModule (test/app-routes.ts),
// must say who may call it.

describe('route coverage', () => {
  let app: NestExpressApplication;
  let handlers: Handler[];
  let routes: Array<{ route: string; handlers: Handler[] }>;

  beforeAll(async () => {
    app = await startInertApp();
    handlers = routeHandlers(app);
    routes = routesWithHandlers(app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('AppModule has no controllers or providers of its own', () => {
    const appModule = AppModule.forRoot(routesTestConfig);
    expect(appModule.controllers ?? []).toEqual([]);
    expect(appModule.providers ?? []).toEqual([]);
  });

  it('every route the gateway registers declares @RequireRole(...) or @Public()', () => {
    expect(routes.length).toBeGreaterThan(15);
    // Each Express route comes from exactly one controller method, so none escapes the check below.
    expect(routes.filter((r) => r.handlers.length !== 1).map((r) => r.route)).toEqual([]);
    const undeclared = handlers.filter((h) => !h.access).map((h) => `${h.method} ${h.path} (${h.where})`);
    expect(undeclared).toEqual([]);
  });

  it('is public only where it must be: sign-in, the probes and the API description', () => {
    const open = routes.filter((r) => r.handlers[0]?.access?.public).map((r) => r.route);
    expect(open.sort()).toEqual([
      'GET /api/docs',
      'GET /api/openapi.json',
      'GET /health',
      'GET /ready',
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/logout',
      'POST /api/v1/auth/refresh',
    ]);
  });
});
