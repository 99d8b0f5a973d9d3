import { z } from 'zod';
import { NAMED_SCHEMAS, OPERATIONS, type Operation } from './operations.js';
import { streamDescription } from './stream-description.js';

/** A JSON Schema (draft 2020-12, OpenAPI 3.1's dialect) or any other part of the document. */
export type JsonObject = Record<string, unknown>;

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description?: string;
  schema: JsonObject;
}

export interface OpenApiOperation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  /** `[]` for a public route; otherwise a bearer token or an API key. */
  security: Array<Record<string, string[]>>;
  /** The least role the route needs (`@RequireRole`); absent on public routes. */
  'x-fleetplane-role'?: string;
  /** The scope an API key needs (`@RequireScope`); absent on public routes. */
  'x-fleetplane-scope'?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { required: true; content: Record<string, { schema: JsonObject }> };
  responses: Record<string, { description: string; headers?: Record<string, { $ref: string }>; content?: Record<string, { schema: JsonObject }> }>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags: Array<{ name: string }>;
  paths: Record<string, Partial<Record<Operation['method'], OpenApiOperation>>>;
  components: { schemas: Record<string, JsonObject>; headers: Record<string, JsonObject>; securitySchemes: Record<string, JsonObject> };
  /** The live-update WebSocket (stream-description.ts). */
  'x-fleetplane-stream': typeof streamDescription;
}

const COMPONENTS = '#/components/schemas/';
const AUTHENTICATED: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKey: [] }];

const ERRORS: Record<number, string> = {
  400: 'a bad field, named in `field` (or `body` for invalid JSON)',
  401: 'no credentials, or bad ones',
  403: "the caller's role is below the route's, or the API key lacks the route's scope (named in the message)",
  404: 'not found',
  409: 'exists already',
  413: 'the body is over 64 KB (`field: body`)',
  415: 'the body is not JSON (`Content-Type` must be application/json)',
  429: 'too many attempts; see Retry-After',
  500: 'an unexpected failure (no internal message); look it up by `traceId`',
  502: 'a peer service failed (no internal message)',
  503: 'a peer service is unavailable; retry',
  504: 'a peer service did not answer in time',
};

/**
 * The request limits' headers (every /api/v1 answer; see the README's Rate limits). Not required:
 * they are absent with RATE_LIMIT_ENABLED=false and while the limits' Redis is away (reads and
 * writes then fail open). Retry-After is on every 429.
 */
const HEADERS: Record<string, JsonObject> = {
  'X-RateLimit-Limit': { description: 'requests allowed in the window of the most restrictive limit applied', schema: { type: 'integer', minimum: 0 } },
  'X-RateLimit-Remaining': { description: 'requests left in that window', schema: { type: 'integer', minimum: 0 } },
  'X-RateLimit-Reset': { description: 'seconds until that window frees up', schema: { type: 'integer', minimum: 0 } },
  'Retry-After': { description: 'seconds to wait before retrying', required: true, schema: { type: 'integer', minimum: 0 } },
};
const withHeaders = (headers: Record<string, { $ref: string }> | undefined) => (headers ? { headers } : {});
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** The headers documented on an answer of `op` with `status`. */
function headersOf(op: Operation, status: number): Record<string, { $ref: string }> | undefined {
  if (!op.path.startsWith('/api/v1/')) return status === 429 ? { 'Retry-After': headerRef('Retry-After') } : undefined;
  const limits = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', ...(status === 429 ? ['Retry-After'] : [])];
  return Object.fromEntries(limits.map((h) => [h, headerRef(h)]));
}

/** toJSONSchema's output without what only a standalone schema needs. */
function bare(schema: JsonObject): JsonObject {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** Each named schema once, with `$ref`s between them into components. */
function components(): { schemas: Record<string, JsonObject>; names: Map<z.ZodType, string> } {
  const names = new Map<z.ZodType, string>();
  const schemas: Record<string, JsonObject> = {};
  for (const io of ['input', 'output'] as const) {
    const registry = z.registry<{ id: string }>();
    for (const [name, schema, side] of NAMED_SCHEMAS) {
      if (side !== io) continue;
      registry.add(schema, { id: name });
      names.set(schema, name);
    }
    const converted = z.toJSONSchema(registry, { io, target: 'draft-2020-12', uri: (id) => `${COMPONENTS}${id}` });
    for (const [name, schema] of Object.entries(converted.schemas)) schemas[name] = bare(schema);
  }
  return { schemas, names };
}

/** A `$ref` for a named schema, else the schema inline (which must not contain a named one). */
function schemaFor(schema: z.ZodType, io: 'input' | 'output', names: Map<z.ZodType, string>): JsonObject {
  const name = names.get(schema);
  if (name) return { $ref: `${COMPONENTS}${name}` };
  const json = bare(z.toJSONSchema(schema, { io, target: 'draft-2020-12' }));
  if ('$defs' in json) throw new Error('an inline schema holds a named one: give it a name in NAMED_SCHEMAS');
  return json;
}

function parameters(op: Operation, names: Map<z.ZodType, string>): OpenApiParameter[] {
  const inPath = Object.entries(op.params ?? {}).map(([name, schema]): OpenApiParameter => {
    const json = schemaFor(schema, 'input', names);
    return { name, in: 'path', required: true, ...(typeof json.description === 'string' ? { description: json.description } : {}), schema: json };
  });
  const query = op.query ? schemaFor(op.query, 'input', names) : undefined;
  const required = new Set((query?.required as string[] | undefined) ?? []);
  const inQuery = Object.entries((query?.properties as Record<string, JsonObject> | undefined) ?? {}).map(([name, schema]): OpenApiParameter => ({
    name,
    in: 'query',
    required: required.has(name),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    schema,
  }));
  return [...inPath, ...inQuery];
}

function operationObject(op: Operation, names: Map<z.ZodType, string>): OpenApiOperation {
  const params = parameters(op, names);
  const hasInput = params.length > 0 || op.body !== undefined;
  const errorStatuses = [
    ...new Set([...(hasInput ? [400] : []), ...(op.access === 'public' ? [] : [401, 403]), ...(op.body ? [413, 415] : []), ...(op.errors ?? []), 500]),
  ].sort((a, b) => a - b);
  const { status, description, schema, contentTypes = ['application/json'] } = op.success;
  const successBody = (type: string) => (schema ? schemaFor(schema, 'output', names) : { type: type.startsWith('text/') ? 'string' : 'object' });
  const roleNote =
    op.access === 'public'
      ? 'Public: no credentials.'
      : `Requires role \`${op.access}\` or above${op.scope ? `; an API key also needs scope \`${op.scope}\`` : ''}.`;
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    description: op.description ? `${op.description}\n\n${roleNote}` : roleNote,
    security: op.access === 'public' ? [] : AUTHENTICATED,
    ...(op.access === 'public' ? {} : { 'x-fleetplane-role': op.access }),
    ...(op.access !== 'public' && op.scope ? { 'x-fleetplane-scope': op.scope } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaFor(op.body, 'input', names) } } } } : {}),
    responses: {
      [String(status)]: {
        description,
        ...withHeaders(headersOf(op, status)),
        ...(status === 204 ? {} : { content: Object.fromEntries(contentTypes.map((type) => [type, { schema: successBody(type) }])) }),
      },
      ...Object.fromEntries(
        errorStatuses.map((s) => [
          String(s),
          {
            description: ERRORS[s] ?? 'error',
            ...withHeaders(headersOf(op, s)),
            content: { 'application/json': { schema: { $ref: `${COMPONENTS}Error` } } },
          },
        ]),
      ),
    },
  };
}

/** The gateway's OpenAPI 3.1 document, from the operations registry and the zod schemas it names. */
export function buildOpenApiDocument(operations: readonly Operation[] = OPERATIONS): OpenApiDocument {
  const { schemas, names } = components();
  const paths: OpenApiDocument['paths'] = {};
  for (const op of operations) {
    const item = (paths[op.path] ??= {});
    if (item[op.method]) throw new Error(`${op.method.toUpperCase()} ${op.path} is listed twice`);
    item[op.method] = operationObject(op, names);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'fleetplane gateway',
      version: 'v1',
      description:
        "The operators' REST API. Authenticate with `Authorization: Bearer <access token>` (from POST /api/v1/auth/login) or `X-API-Key: fp_<prefix>_<secret>`. Roles rank viewer < operator < admin; each operation names the least role it needs in `x-fleetplane-role`, and the scope an API key needs besides in `x-fleetplane-scope` (a signed-in user holds every scope of its role). Live updates (WebSocket /api/v1/stream), which OpenAPI has no operation for, are described in `x-fleetplane-stream`: authentication by the first frame, the frames (components `StreamClientFrame` and `StreamServerFrame`) and the close codes.",
    },
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      headers: HEADERS,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'an access token from POST /api/v1/auth/login or /refresh' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'fp_<prefix>_<secret>; acts with its own role, never above its owner’s' },
      },
    },
    'x-fleetplane-stream': streamDescription,
  };
}
