import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { JsonObject, OpenApiDocument, OpenApiOperation } from '../openapi/document.js';

// Holds every answer the integration tests get from a running gateway against
// that gateway's own OpenAPI document (GET /api/openapi.json): the status must
// be one the operation documents, and a JSON body must validate against the
// documented schema (JSON Schema 2020-12, formats included, by ajv). What the
// document says is then what clients really get, not only what the zod views
// are typed as.

const DOC_ID = 'fleetplane:openapi';

interface Route {
  method: string;
  pattern: RegExp;
  path: string;
  op: OpenApiOperation;
}

/** `#/components/…` inside an operation's schema, pointed at the document added under DOC_ID. */
function anchored(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(anchored);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${DOC_ID}${v}` : anchored(v)]),
  );
}

export class ResponseConformance {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly routes: Route[];
  private readonly validators = new Map<JsonObject, ValidateFunction>();
  private readonly errorSchema: JsonObject = { $ref: '#/components/schemas/Error' };
  private readonly headers: Record<string, JsonObject>;

  constructor(doc: OpenApiDocument) {
    addFormats.default(this.ajv);
    this.headers = doc.components.headers;
    this.ajv.addSchema(doc, DOC_ID);
    this.routes = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, OpenApiOperation>).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        // `{id}` is one path segment; the query string is not part of the match.
        pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        op,
      })),
    );
  }

  /** What is wrong with an answer, or null when the document describes it: status, documented headers, content type, body. */
  problem(method: string, url: string, status: number, headers: Headers, body: unknown): string | null {
    const contentType = headers.get('content-type');
    const path = new URL(url, 'http://x').pathname;
    const route = this.routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(path));
    // Outside the document (an unknown route, /metrics on the public port): only the error shape is promised.
    if (!route) return status >= 400 ? this.validate(this.errorSchema, body) : null;
    const response = route.op.responses[String(status)];
    if (!response) return `${status} is not a documented answer of ${route.method} ${route.path} (${Object.keys(route.op.responses).join(', ')})`;
    const badHeader = this.headerProblem(response.headers ?? {}, headers);
    if (badHeader) return badHeader;
    const documented = Object.entries(response.content ?? {});
    if (documented.length === 0) return null;
    const match = documented.find(([type]) => contentType?.split(';')[0]?.trim() === type);
    if (!match) return `content-type ${contentType ?? 'none'}, documented ${documented.map(([type]) => type).join(' or ')}`;
    return match[0] === 'application/json' ? this.validate(match[1].schema, body) : null;
  }

  /** A documented header that is required and missing, or present and off its schema (header values are integers or strings). */
  private headerProblem(documented: Record<string, { $ref: string }>, actual: Headers): string | null {
    for (const [name, ref] of Object.entries(documented)) {
      const header = this.headers[ref.$ref.replace('#/components/headers/', '')];
      if (!header) return `header ${name}: ${ref.$ref} is not in the document`;
      const value = actual.get(name);
      if (value === null) {
        if (header.required === true) return `the required header ${name} is missing`;
        continue;
      }
      const schema = header.schema as JsonObject;
      const parsed = schema.type === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
      const problem = this.validate(schema, parsed);
      if (problem) return `header ${name}: ${value}: ${problem}`;
    }
    return null;
  }

  private validate(schema: JsonObject, body: unknown): string | null {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(anchored(schema) as JsonObject);
      this.validators.set(schema, validate);
    }
    if (validate(body)) return null;
    return this.ajv.errorsText(validate.errors, { dataVar: 'body' });
  }
}

const byBase = new Map<string, Promise<ResponseConformance>>();

/** The checker for the gateway at `base`, built once from its document. */
export function conformanceOf(base: string): Promise<ResponseConformance> {
  let checker = byBase.get(base);
  if (!checker) {
    checker = fetch(`${base}/api/openapi.json`)
      .then((res) => res.json() as Promise<OpenApiDocument>)
      .then((doc) => new ResponseConformance(doc));
    byBase.set(base, checker);
  }
  return checker;
}
