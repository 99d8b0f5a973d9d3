import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal emulator of the Google Cloud Storage JSON API, on loopback, for the GCS backend's
 * tests: no GCS emulator runs here (fake-gcs-server is a Go binary shipped as a container image,
 * and there is no Docker engine). It implements exactly the calls `@google-cloud/storage` makes for
 * the backend — nothing else, and the README says so:
 *
 * - `POST /storage/v1/b?project=` (create a bucket; 409 when it exists)
 * - `POST /upload/storage/v1/b/{bucket}/o?uploadType=multipart&name=` (a `multipart/related` body:
 *   the JSON metadata, then the media)
 * - `GET /storage/v1/b/{bucket}/o/{object}` (metadata; with `alt=media` the bytes, honouring `Range`)
 * - `GET /storage/v1/b/{bucket}/o?prefix=&maxResults=&pageToken=` (listing, paged in name order)
 * - `DELETE /storage/v1/b/{bucket}/o/{object}`
 *
 * Errors are GCS's JSON error shape (`{"error":{"code","message","errors":[{"reason"}]}}`).
 * `failNext(n, status)` answers the next n requests with that status, to exercise the SDK's retries.
 */
export interface GcsEmulatorHandle {
  /** The `apiEndpoint` for the SDK: `http://127.0.0.1:<port>`. */
  url: string;
  /** Requests served, by method and path without the query (for tests that check what was called). */
  readonly requests: string[];
  failNext(count: number, status: number): void;
  stop(): Promise<void>;
}

interface StoredObject {
  data: Buffer;
  contentType: string;
  generation: number;
  updated: string;
}

const PAGE = 1_000;

export async function startGcsEmulator(): Promise<GcsEmulatorHandle> {
  const buckets = new Map<string, Map<string, StoredObject>>();
  const requests: string[] = [];
  let failures = { count: 0, status: 503 };
  let generation = 1;

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: Error) => sendError(res, 500, 'internalError', err.message));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method} ${url.pathname}`);
    const body = await readBody(req);
    if (failures.count > 0) {
      failures.count--;
      return sendError(res, failures.status, 'backendError', 'injected failure');
    }
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && path === '/storage/v1/b') {
      const { name } = JSON.parse(body.toString('utf8')) as { name?: string };
      if (!name) return sendError(res, 400, 'invalid', 'bucket name missing');
      if (buckets.has(name)) return sendError(res, 409, 'conflict', `bucket ${name} already exists`);
      buckets.set(name, new Map());
      return sendJson(res, 200, { kind: 'storage#bucket', id: name, name });
    }
    if ((m = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(path)) && req.method === 'POST') {
      const bucket = buckets.get(decodeURIComponent(m[1]!));
      if (!bucket) return sendError(res, 404, 'notFound', 'bucket not found');
      if (url.searchParams.get('uploadType') !== 'multipart') return sendError(res, 400, 'invalid', 'only uploadType=multipart is emulated');
      const parts = multipartParts(req.headers['content-type'] ?? '', body);
      if (!parts || parts.length !== 2) return sendError(res, 400, 'invalid', 'expected a multipart/related body of metadata and media');
      const metadata = JSON.parse(parts[0]!.body.toString('utf8')) as { name?: string; contentType?: string };
      const name = url.searchParams.get('name') ?? metadata.name;
      if (!name) return sendError(res, 400, 'required', 'object name missing');
      const object: StoredObject = {
        data: parts[1]!.body,
        contentType: parts[1]!.contentType ?? metadata.contentType ?? 'application/octet-stream',
        generation: generation++,
        updated: new Date().toISOString(),
      };
      bucket.set(name, object);
      return sendJson(res, 200, resource(decodeURIComponent(m[1]!), name, object));
    }
    if ((m = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(path))) {
      const bucketName = decodeURIComponent(m[1]!);
      const bucket = buckets.get(bucketName);
      if (!bucket) return sendError(res, 404, 'notFound', 'bucket not found');
      const name = decodeURIComponent(m[2]!);
      const object = bucket.get(name);
      if (req.method === 'DELETE') {
        if (!object) return sendError(res, 404, 'notFound', `No such object: ${bucketName}/${name}`);
        bucket.delete(name);
        res.writeHead(204).end();
        return;
      }
      if (req.method !== 'GET') return sendError(res, 405, 'methodNotAllowed', 'not emulated');
      if (!object) return sendError(res, 404, 'notFound', `No such object: ${bucketName}/${name}`);
      if (url.searchParams.get('alt') !== 'media') return sendJson(res, 200, resource(bucketName, name, object));
      return sendMedia(req, res, object);
    }
    if ((m = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(path)) && req.method === 'GET') {
      const bucketName = decodeURIComponent(m[1]!);
      const bucket = buckets.get(bucketName);
      if (!bucket) return sendError(res, 404, 'notFound', 'bucket not found');
      const prefix = url.searchParams.get('prefix') ?? '';
      const after = url.searchParams.get('pageToken') ?? '';
      const max = Math.min(Number(url.searchParams.get('maxResults') ?? PAGE) || PAGE, PAGE);
      const names = [...bucket.keys()].filter((n) => n.startsWith(prefix) && n > after).sort();
      const page = names.slice(0, max);
      return sendJson(res, 200, {
        kind: 'storage#objects',
        items: page.map((n) => resource(bucketName, n, bucket.get(n)!)),
        ...(names.length > max ? { nextPageToken: page.at(-1) } : {}),
      });
    }
    return sendError(res, 404, 'notFound', `${req.method} ${path} is not emulated`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (count, status) => {
      failures = { count, status };
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function resource(bucket: string, name: string, o: StoredObject) {
  return {
    kind: 'storage#object',
    id: `${bucket}/${name}/${o.generation}`,
    name,
    bucket,
    generation: String(o.generation),
    contentType: o.contentType,
    size: String(o.data.length),
    updated: o.updated,
  };
}

function sendMedia(req: IncomingMessage, res: ServerResponse, o: StoredObject): void {
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (!range) {
    res.writeHead(200, { 'content-type': o.contentType, 'content-length': o.data.length }).end(o.data);
    return;
  }
  const start = Number(range[1]);
  const end = range[2] ? Math.min(Number(range[2]), o.data.length - 1) : o.data.length - 1;
  if (start >= o.data.length) {
    res.writeHead(416, { 'content-range': `bytes */${o.data.length}` }).end();
    return;
  }
  const slice = o.data.subarray(start, end + 1);
  res.writeHead(206, { 'content-type': o.contentType, 'content-length': slice.length, 'content-range': `bytes ${start}-${end}/${o.data.length}` }).end(slice);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, code: number, reason: string, message: string): void {
  sendJson(res, code, { error: { code, message, errors: [{ domain: 'global', reason, message }] } });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The parts of a `multipart/related` body: each part's headers end at a blank line. */
function multipartParts(contentType: string, body: Buffer): Array<{ contentType?: string; body: Buffer }> | undefined {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!/^multipart\/related/i.test(contentType) || !boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Array<{ contentType?: string; body: Buffer }> = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break; // the closing delimiter
    const next = body.indexOf(delimiter, start);
    if (next === -1) return undefined;
    // A part: CRLF, headers, CRLF CRLF, content, CRLF before the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd === -1) return undefined;
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
    parts.push({ ...(type ? { contentType: type } : {}), body: part.subarray(headerEnd + 4) });
    at = next;
  }
  return parts;
}
