import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ZodPipe } from '../http/zod.pipe.js';
import { STREAM_PATH, StreamCloseCode } from '../stream/stream.protocol.js';
import { routesWithHandlers, startInertApp, type Handler } from '../test/app-routes.js';
import { renderDocsPage } from './docs-page.js';
import { buildOpenApiDocument, type JsonObject } from './document.js';
import { OpenApiController } from './openapi.controller.js';
import { OPERATIONS, type Operation } from './operations.js';

// The document against the routes the real AppModule registers (test/app-routes.ts,
// as in route-coverage.spec.ts): the same set, the same access rule on each, and
// the request schemas the routes' ZodPipes really parse with.

/** `GET /api/v1/agents/:id`, as Express names the route of an operation. */
const routeOf = (op: Operation) => `${op.method.toUpperCase()} ${op.path.replace(/\{(\w+)\}/g, ':$1')}`;

interface PipeArg {
  /** `3:1` is a @Body() as the second argument, `5:0` a @Param() as the first. */
  type: RouteParamtypes;
  data: string | undefined;
  schemas: z.ZodType[];
}

/** The zod schemas of a handler's @Body, @Query and @Param pipes. */
function pipeArgs(h: Handler): PipeArg[] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, h.controller, h.name) ?? {}) as Record<string, { data?: string; pipes?: unknown[] }>;
  return Object.entries(args).flatMap(([key, arg]) => {
    const type = Number(key.split(':')[0]) as RouteParamtypes;
    if (![RouteParamtypes.BODY, RouteParamtypes.QUERY, RouteParamtypes.PARAM].includes(type)) return [];
    // The schema a ZodPipe was built with (private to the pipe; read here only).
    const schemas = (arg.pipes ?? []).filter((p) => p instanceof ZodPipe).map((p) => (p as unknown as { schema: z.ZodType }).schema);
    return [{ type, data: arg.data, schemas }];
  });
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refsIn(v)));
  }
  return [];
}

describe('OpenAPI document', () => {
  let app: NestExpressApplication;
  let routes: Array<{ route: string; handlers: Handler[] }>;
  const doc = buildOpenApiDocument();

  beforeAll(async () => {
    app = await startInertApp();
    routes = routesWithHandlers(app);
  });

  afterAll(async () => {
    await app?.close();
  });

  const handlerOf = (op: Operation): Handler | undefined => routes.find((r) => r.route === routeOf(op))?.handlers[0];

  it('documents every route the gateway registers, and nothing else', () => {
    // /metrics is on a port of its own (METRICS_PORT), not among these.
    const registered = routes.map((r) => r.route);
    const documented = OPERATIONS.map(routeOf);
    expect(documented.filter((r) => !registered.includes(r)).map((r) => `documented, no such route: ${r}`)).toEqual([]);
    expect(registered.filter((r) => !documented.includes(r)).map((r) => `registered, not in openapi/operations.ts: ${r}`)).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
    expect(new Set(OPERATIONS.map((o) => o.operationId)).size).toBe(OPERATIONS.length);
  });

  it("gives each operation the route's @Public() or @RequireRole(...)", () => {
    const wrong = OPERATIONS.flatMap((op) => {
      const access = handlerOf(op)?.access;
      const declared = access === undefined ? 'nothing' : access.public ? 'public' : access.need.role;
      const documented = doc.paths[op.path]?.[op.method];
      const security = documented?.security.length === 0 ? 'public' : documented?.['x-fleetplane-role'];
      return declared === op.access && security === op.access ? [] : [`${routeOf(op)}: route ${declared}, registry ${op.access}, document ${security}`];
    });
    expect(wrong).toEqual([]);
  });

  it("gives each non-public operation the route's @RequireScope(...), and every non-public route has one", () => {
    const wrong = OPERATIONS.flatMap((op) => {
      const access = handlerOf(op)?.access;
      const declared = access && !access.public ? (access.need.scope ?? 'nothing') : undefined;
      const documented = doc.paths[op.path]?.[op.method]?.['x-fleetplane-scope'];
      if (op.access === 'public')
        return declared === undefined && op.scope === undefined && documented === undefined ? [] : [`${routeOf(op)}: a public route with a scope`];
      return declared !== 'nothing' && declared === op.scope && documented === op.scope
        ? []
        : [`${routeOf(op)}: route ${declared}, registry ${op.scope}, document ${documented}`];
    });
    expect(wrong).toEqual([]);
  });

  it("names the schemas the route's ZodPipes parse with", () => {
    const wrong = OPERATIONS.flatMap((op) => {
      const args = pipeArgs(handlerOf(op)!);
      const of = (type: RouteParamtypes, data?: string) => args.filter((a) => a.type === type && a.data === data).flatMap((a) => a.schemas);
      const problems: string[] = [];
      const expectSame = (what: string, piped: z.ZodType[], documented: z.ZodType | undefined) => {
        if (documented === undefined ? piped.length > 0 : piped.length !== 1 || piped[0] !== documented) problems.push(`${routeOf(op)}: ${what}`);
      };
      expectSame('body', of(RouteParamtypes.BODY), op.body);
      expectSame('query', of(RouteParamtypes.QUERY), op.query);
      const paramNames = new Set([...Object.keys(op.params ?? {}), ...args.filter((a) => a.type === RouteParamtypes.PARAM).map((a) => a.data ?? '')]);
      for (const name of paramNames) expectSame(`path parameter ${name}`, of(RouteParamtypes.PARAM, name), op.params?.[name]);
      return problems;
    });
    expect(wrong).toEqual([]);
  });

  it('is a valid OpenAPI 3.1 document (by the specification schema) whose every $ref resolves', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    // A copy: the validator may resolve $refs in what it is given.
    expect(await validator.validate(structuredClone(doc) as unknown as Record<string, unknown>)).toEqual({ valid: true });
    const dangling = refsIn(doc).filter((ref) => {
      const [, kind, name] = /^#\/components\/(schemas|headers)\/(.+)$/.exec(ref) ?? [];
      return !kind || !name || !(name in doc.components[kind as 'schemas' | 'headers']);
    });
    expect(dangling).toEqual([]);
    // Every path parameter of a path is described.
    for (const [path, item] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(item)) {
        expect(op.parameters?.filter((p) => p.in === 'path').map((p) => p.name) ?? [], path).toEqual(names);
      }
    }
    // A body parses as its schema says: the error shape the filter answers with.
    const error = doc.components.schemas.Error as JsonObject;
    expect(error.required).toEqual(['statusCode', 'error', 'message', 'traceId']);
  });

  it('documents the request limits: X-RateLimit-* on every /api/v1 answer, Retry-After on every 429', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const op of Object.values(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          const headers = Object.keys(response.headers ?? {});
          if (path.startsWith('/api/v1/'))
            expect(headers, `${op.operationId} ${status}`).toEqual(expect.arrayContaining(['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']));
          if (status === '429') expect(headers, `${op.operationId} 429`).toContain('Retry-After');
        }
      }
    }
  });

  it('describes the live-update stream: its frames as components and every close code the session uses', () => {
    const stream = doc['x-fleetplane-stream'];
    expect(stream.path).toBe(STREAM_PATH);
    expect(stream.clientFrame.$ref).toBe('#/components/schemas/StreamClientFrame');
    expect(stream.serverFrame.$ref).toBe('#/components/schemas/StreamServerFrame');
    const serverTypes = ((doc.components.schemas.StreamServerFrame as JsonObject).oneOf as JsonObject[]).map((f) => (f.properties as JsonObject).type);
    expect(serverTypes.map((t) => (t as JsonObject).const)).toEqual([
      'ready',
      'subscribed',
      'execution.updated',
      'output_subscribed',
      'output_unsubscribed',
      'execution.output',
      'alerts_subscribed',
      'alerts_unsubscribed',
      'alert.fired',
      'alert.escalated',
      'alert.acknowledged',
      'alert.resolved',
      'backups_subscribed',
      'backup.updated',
      'error',
    ]);
    for (const code of Object.values(StreamCloseCode)) expect(Object.keys(stream.closeCodes)).toContain(String(code));
  });

  it('is what GET /api/openapi.json serves, and GET /api/docs lists every operation without scripts', () => {
    const controller = app.get(OpenApiController);
    expect(controller.openApi()).toEqual(doc);
    const page = controller.docs();
    expect(page).toBe(renderDocsPage(doc));
    for (const op of OPERATIONS) expect(page).toContain(`id="op-${op.operationId}"`);
    expect(page).not.toMatch(/<script|<link|src=/i);
  });
});
