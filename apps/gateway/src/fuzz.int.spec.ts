import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '@fleetplane/test-harness';
import type { OpenApiDocument, OpenApiOperation, JsonObject } from './openapi/document.js';
import { errorBody } from './openapi/error-body.js';
import { callGateway, startGatewayStack, type CallOptions, type GatewayStack } from './test/gateway-stack.js';
import { conformanceOf } from './test/response-conformance.js';

// Schema-driven fuzzing of the running gateway: for every operation of its own OpenAPI
// document, malformed input (wrong types, missing fields, bad JSON, oversized bodies, bad
// path and query values, wrong content types, garbage credentials), a fixed seed and a
// bounded number of cases. No answer may be a 5xx, and every 4xx must be the documented
// error body, with a message, `field` on a 400, and the request's trace id.

const ADMIN = { email: 'fuzz-admin@example.com', password: 'fuzz-admin-password-1234' };
const SEED = 0x5eed_0012;
const CASES_PER_OPERATION = Number(process.env.FUZZ_CASES ?? 30);
const TRACE_ID = /^[0-9a-f]{32}$/;
/** Routes outside tracing (observability's UNTRACED_PATHS): their errors carry traceId null. */
const UNTRACED = new Set(['/health', '/ready', '/metrics']);

interface Case {
  what: string;
  method: string;
  path: string;
  opts: CallOptions;
  /** Refused before any span starts (by Node's parser): traceId null. */
  untraced?: true;
}

/** What answered wrongly, one line each, for a readable failure. */
interface Finding {
  case: string;
  status: number;
  problem: string;
  body: string;
}

const BAD_STRINGS = [
  '',
  ' ',
  '..',
  '../../etc/passwd',
  '%00',
  'ünïcødé-😀',
  'a'.repeat(300),
  'x'.repeat(70),
  '-1',
  '0',
  '1e309',
  'NaN',
  'null',
  '{}',
  '[]',
  "' OR 1=1 --",
  '<script>',
];
const BAD_VALUES: unknown[] = [null, true, 0, -1, 1.5, 1e308, '', 'x', 'a'.repeat(5000), [], [1, 'a'], {}, { nested: { deeper: [null] } }];
const INVALID_JSON = ['{', '{"a":', '{"a":1,}', "{'a':1}", 'undefined', '\u0000', '{"a":"\\u12"}', '['.repeat(5000)];
const AUTH_GARBAGE: Record<string, string>[] = [
  { authorization: 'Bearer' },
  { authorization: 'Bearer ' + 'a'.repeat(8_000) },
  { authorization: 'Bearer a.b.c' },
  { authorization: 'Basic YWRtaW46YWRtaW4=' },
  { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.' },
  { authorization: 'Bearer \u00ff\u00fe' },
  { 'x-api-key': 'fp_' },
  { 'x-api-key': 'fp_x_y' },
  { 'x-api-key': 'fp_' + 'z'.repeat(8_000) + '_s' },
  { 'x-api-key': 'not-a-key', authorization: 'Bearer nope' },
];

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

/** The schema `$ref` points at, else the schema itself. */
function resolve(doc: OpenApiDocument, schema: JsonObject | undefined): JsonObject | undefined {
  const ref = schema?.$ref;
  return typeof ref === 'string' ? doc.components.schemas[ref.replace('#/components/schemas/', '')] : schema;
}

/** A value of the type a schema asks for, roughly valid: the base the mutations start from. */
function sample(schema: JsonObject | undefined, rnd: () => number): unknown {
  if (!schema) return 'x';
  if (Array.isArray(schema.enum)) return pick(rnd, schema.enum);
  switch (schema.type) {
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'array':
      return [sample(schema.items as JsonObject | undefined, rnd)];
    case 'object':
      return Object.fromEntries(Object.entries((schema.properties as Record<string, JsonObject> | undefined) ?? {}).map(([k, v]) => [k, sample(v, rnd)]));
    default:
      return schema.format === 'email' ? 'someone@example.com' : 'agent-1';
  }
}

/** A value of another type than the schema asks for. */
function wrongType(schema: JsonObject | undefined, rnd: () => number): unknown {
  const t = schema?.type;
  const others = BAD_VALUES.filter((v) => {
    if (t === 'string') return typeof v !== 'string';
    if (t === 'integer' || t === 'number') return typeof v !== 'number' || (t === 'integer' && !Number.isInteger(v));
    if (t === 'array') return !Array.isArray(v);
    if (t === 'object') return typeof v !== 'object' || v === null || Array.isArray(v);
    return true;
  });
  return pick(rnd, others);
}

function bodyCases(doc: OpenApiDocument, op: OpenApiOperation, rnd: () => number): Omit<Case, 'method' | 'path'>[] {
  const schema = resolve(doc, op.requestBody?.content['application/json']?.schema);
  if (!schema) return [];
  const base = sample(schema, rnd) as Record<string, unknown>;
  const props = Object.entries((schema.properties as Record<string, JsonObject> | undefined) ?? {});
  const required = (schema.required as string[] | undefined) ?? [];
  const cases: Omit<Case, 'method' | 'path'>[] = [];
  for (const name of required) {
    const { [name]: _gone, ...rest } = base;
    cases.push({ what: `body without ${name}`, opts: { body: rest } });
  }
  for (const [name, prop] of props) {
    cases.push({ what: `body.${name} of a wrong type`, opts: { body: { ...base, [name]: wrongType(prop, rnd) } } });
    if (prop.type === 'string') cases.push({ what: `body.${name} a bad string`, opts: { body: { ...base, [name]: pick(rnd, BAD_STRINGS) } } });
  }
  cases.push(
    { what: 'body an unknown field', opts: { body: { ...base, ['zz' + Math.floor(rnd() * 1e6)]: 1 } } },
    { what: 'body with __proto__', opts: { body: `{"__proto__":{"admin":true},"constructor":{"prototype":{}}}` } },
    { what: 'body an array', opts: { body: [base] } },
    { what: 'body null', opts: { body: 'null' } },
    { what: 'body a number', opts: { body: '42' } },
    { what: 'body a string', opts: { body: '"x"' } },
    { what: 'body empty with a JSON content type', opts: { body: '' } },
    { what: 'body invalid JSON', opts: { body: pick(rnd, INVALID_JSON) } },
    { what: 'body invalid JSON', opts: { body: pick(rnd, INVALID_JSON) } },
    { what: 'body over 64 KB', opts: { body: { ...base, pad: 'p'.repeat(70_000) } } },
    { what: 'body deeply nested', opts: { body: '{"a":'.repeat(2_000) + '1' + '}'.repeat(2_000) } },
    { what: 'body as text/plain', opts: { body: JSON.stringify(base), headers: { 'content-type': 'text/plain' } } },
    { what: 'body urlencoded', opts: { body: 'a=1&b[c]=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } } },
    { what: 'body as xml', opts: { body: '<a>1</a>', headers: { 'content-type': 'application/xml' } } },
    { what: 'body with a bad charset', opts: { body: JSON.stringify(base), headers: { 'content-type': 'application/json; charset=klingon' } } },
    { what: 'body gzip that is not', opts: { body: JSON.stringify(base), headers: { 'content-encoding': 'gzip' } } },
  );
  return cases;
}

function queryCases(op: OpenApiOperation, rnd: () => number): { what: string; query: string }[] {
  const params = (op.parameters ?? []).filter((p) => p.in === 'query');
  const cases: { what: string; query: string }[] = [];
  for (const p of params) {
    cases.push({ what: `query ${p.name} a bad value`, query: `${p.name}=${encodeURIComponent(pick(rnd, BAD_STRINGS))}` });
    cases.push({ what: `query ${p.name} twice`, query: `${p.name}=1&${p.name}=2` });
    cases.push({ what: `query ${p.name}[] nested`, query: `${p.name}[a]=1` });
  }
  if (params.length > 0) cases.push({ what: 'query unknown parameter', query: 'zzz=1' });
  return cases;
}

function pathCases(path: string, op: OpenApiOperation, rnd: () => number): { what: string; path: string }[] {
  const params = (op.parameters ?? []).filter((p) => p.in === 'path');
  const cases: { what: string; path: string }[] = [];
  for (const p of params) {
    for (const bad of ['', '..', '%2e%2e', 'a'.repeat(300), 'ünï😀', '%00', '%', pick(rnd, BAD_STRINGS)]) {
      const value = bad === '%' || bad === '%00' || bad === '%2e%2e' ? bad : encodeURIComponent(bad);
      cases.push({ what: `path ${p.name}=${JSON.stringify(bad.slice(0, 20))}`, path: path.replace(`{${p.name}}`, value) });
    }
  }
  return cases;
}

/** A valid-looking path for an operation (`{id}` filled in). */
const concretePath = (path: string): string =>
  path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'id' && path.includes('api-keys') ? '00000000-0000-4000-8000-000000000000' : 'agent-1'));

function casesFor(doc: OpenApiDocument, path: string, method: string, op: OpenApiOperation, token: string, rnd: () => number): Case[] {
  const authed = op.security.length > 0;
  const auth: CallOptions = authed ? { token } : {};
  const url = concretePath(path);
  const cases: Case[] = [];
  for (const c of bodyCases(doc, op, rnd)) cases.push({ ...c, method, path: url, opts: { ...auth, ...c.opts, headers: { ...c.opts.headers } } });
  for (const c of queryCases(op, rnd)) cases.push({ what: c.what, method, path: `${url}?${c.query}`, opts: auth });
  for (const c of pathCases(path, op, rnd)) cases.push({ what: c.what, method, path: concretePath(c.path), opts: auth });
  for (const headers of AUTH_GARBAGE) cases.push({ what: `credentials ${JSON.stringify(headers).slice(0, 40)}`, method, path: url, opts: { headers } });
  // Seeded shuffle, then the bound.
  for (let i = cases.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [cases[i], cases[j]] = [cases[j]!, cases[i]!];
  }
  return cases.slice(0, CASES_PER_OPERATION);
}

let stack: GatewayStack;
let token: string;
let doc: OpenApiDocument;

beforeAll(async () => {
  // A high login limit: the fuzzed login attempts would otherwise lock out nothing but themselves, yet keep 429s out of the picture.
  stack = await startGatewayStack({ admin: ADMIN, env: { LOGIN_RATE_LIMIT: '10000' } });
  const login = await callGateway<{ accessToken: string }>(stack.base, 'POST', '/api/v1/auth/login', { body: ADMIN });
  expect(login.status).toBe(200);
  token = login.body.accessToken;
  const fetched = await callGateway<OpenApiDocument>(stack.base, 'GET', '/api/openapi.json');
  expect(fetched.status).toBe(200);
  doc = fetched.body;
});

afterAll(async () => {
  await stack?.stop();
});

/** Why an answer breaks the rules, or undefined. */
function problemOf(c: Case, status: number, body: unknown): string | undefined {
  if (status >= 500) return 'a 5xx';
  if (status < 400) return undefined;
  const parsed = errorBody.safeParse(body);
  if (!parsed.success) return `not the error shape: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  const e = parsed.data;
  if (e.statusCode !== status) return `statusCode ${e.statusCode} in the body`;
  if (!e.message.trim()) return 'an empty message';
  if (status === 400 && !e.field) return 'a 400 without field';
  if (e.field && !e.message.includes(e.field)) return 'a message that does not name its field';
  const route = c.path.split('?')[0]!;
  if (!c.untraced && !UNTRACED.has(route) && !(e.traceId && TRACE_ID.test(e.traceId))) return 'no traceId';
  return undefined;
}

describe('fuzzing every operation of the OpenAPI document', () => {
  it('never answers 5xx, and every 4xx is the documented error body', async () => {
    const rnd = seededRandom(SEED);
    const findings: Finding[] = [];
    let sent = 0;
    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
    expect(operations.length).toBeGreaterThan(10);
    const extra: Case[] = [
      { what: 'an unknown route', method: 'GET', path: '/api/v1/nope', opts: { token } },
      { what: 'an unknown route without credentials', method: 'GET', path: '/api/v1/../../etc/passwd', opts: {} },
      { what: 'an unknown method', method: 'PUT', path: '/api/v1/agents', opts: { token, body: {} } },
      { what: 'an unknown version', method: 'GET', path: '/api/v2/agents', opts: { token } },
      { what: 'the root', method: 'GET', path: '/', opts: {} },
      { what: 'metrics on the public port', method: 'GET', path: '/metrics', opts: {} },
      {
        what: 'credentials over 16 KB',
        method: 'GET',
        path: '/api/v1/agents',
        opts: { headers: { authorization: 'Bearer ' + 'a'.repeat(20_000) } },
        untraced: true,
      },
      { what: 'a query over 16 KB', method: 'GET', path: `/api/v1/agents?site=${'s'.repeat(20_000)}`, opts: { token }, untraced: true },
    ];
    // Held against the document here rather than by callGateway, so every finding is listed, not only the first.
    const conformance = await conformanceOf(stack.base);
    const all = [...operations.flatMap(({ path, method, op }) => casesFor(doc, path, method.toUpperCase(), op, token, rnd)), ...extra];
    // A few at a time: the gateway is one process on a small machine.
    for (let i = 0; i < all.length; i += 8) {
      await Promise.all(
        all.slice(i, i + 8).map(async (c) => {
          const res = await callGateway(stack.base, c.method, c.path, { ...c.opts, undocumented: true });
          sent++;
          // Node's parser answers an untraced case before any route: no operation's document covers it.
          const undocumented = c.untraced ? null : conformance.problem(c.method, c.path, res.status, res.headers, res.body);
          const problem = problemOf(c, res.status, res.body) ?? undocumented ?? undefined;
          if (problem) findings.push({ case: `${c.method} ${c.path.slice(0, 80)} — ${c.what}`, status: res.status, problem, body: res.text.slice(0, 200) });
        }),
      );
    }
    expect(findings).toEqual([]);
    expect(sent).toBe(all.length);
    expect(stack.gateway.output()).not.toMatch(/unhandled error/);
  }, 60_000);
});
