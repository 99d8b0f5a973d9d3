import { describe, expect, it } from 'vitest';
import { fakeFetch, command } from '../test/fakes.js';
import { ApiError } from './api-error.js';
import { ApiClient } from './client.js';
import type { TokenPair } from './schemas.js';

describe(ApiClient.name, () => {
  it('refreshes on 401, saves the rotated pair, and retries with the new access token', async () => {
    const fetch = fakeFetch((req) => {
      if (req.path === '/auth/refresh')
        return { status: 200, body: { accessToken: 'new-access', refreshToken: 'new-refresh', tokenType: 'Bearer', expiresIn: 900 } };
      if (req.headers.authorization === 'Bearer new-access') return { status: 200, body: command() };
      return { status: 401, body: { statusCode: 401, message: 'Unauthorized' } };
    });
    const saved: TokenPair[] = [];
    const onRotated = (t: TokenPair) => {
      saved.push(t);
      return Promise.resolve();
    };
    const api = new ApiClient('http://gw', { kind: 'session', tokens: { accessToken: 'old', refreshToken: 'old-refresh' }, onRotated }, fetch);

    expect((await api.getCommand('c1')).id).toBe('c1');
    expect(saved).toEqual([{ accessToken: 'new-access', refreshToken: 'new-refresh' }]);
    expect(fetch.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /commands/c1', 'POST /auth/refresh', 'GET /commands/c1']);
    expect(fetch.requests[1]!.body).toEqual({ refreshToken: 'old-refresh' });
    expect(fetch.requests[1]!.headers.authorization).toBeUndefined();

    // The next call uses the rotated token straight away.
    await api.getCommand('c1');
    expect(fetch.requests).toHaveLength(4);
  });

  it('asks for a new login when the refresh token is refused, and saves nothing', async () => {
    const fetch = fakeFetch(() => ({ status: 401, body: { statusCode: 401, message: 'Unauthorized' } }));
    const saved: TokenPair[] = [];
    const onRotated = (t: TokenPair) => {
      saved.push(t);
      return Promise.resolve();
    };
    const api = new ApiClient('http://gw', { kind: 'session', tokens: { accessToken: 'a', refreshToken: 'r' }, onRotated }, fetch);
    await expect(api.getAgent('x')).rejects.toThrow('session expired: run fleetplane login');
    expect(saved).toEqual([]);
  });

  it('refreshes once when two calls get 401 at the same time', async () => {
    let refreshes = 0;
    const fetch = fakeFetch((req) => {
      if (req.path === '/auth/refresh') return refreshes++ === 0 ? { status: 200, body: { accessToken: 'n', refreshToken: 'nr' } } : { status: 401 };
      return req.headers.authorization === 'Bearer n' ? { status: 200, body: command() } : { status: 401 };
    });
    const api = new ApiClient('http://gw', { kind: 'session', tokens: { accessToken: 'o', refreshToken: 'or' }, onRotated: () => Promise.resolve() }, fetch);
    await Promise.all([api.getCommand('a'), api.getCommand('b')]);
    expect(refreshes).toBe(1);
  });

  it('sends an API key as X-API-Key and never tries to refresh it', async () => {
    const fetch = fakeFetch(() => ({ status: 401, body: { statusCode: 401, message: 'Unauthorized' } }));
    const api = new ApiClient('http://gw/', { kind: 'apiKey', key: 'fp_abc_secret' }, fetch);
    const err = await api.getAgent('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect(fetch.requests).toHaveLength(1);
    expect(fetch.requests[0]!.headers['x-api-key']).toBe('fp_abc_secret');
    expect(fetch.requests[0]!.path).toBe('/agents/x');
  });

  it('turns error bodies into one line naming the field, or the Retry-After of a 429', async () => {
    const fetch = fakeFetch((req) =>
      req.path === '/commands'
        ? { status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'params.argv: must not be empty', field: 'params.argv' } }
        : { status: 429, body: { statusCode: 429, error: 'Too Many Requests', message: 'too many attempts; retry later' }, headers: { 'retry-after': '42' } },
    );
    const api = new ApiClient('http://gw', { kind: 'none' }, fetch);
    await expect(api.submitCommand({ verb: 'exec', params: { argv: [] }, targets: ['a'] })).rejects.toThrow(
      'bad request (400): field params.argv: must not be empty',
    );
    await expect(api.login('a@b.c', 'pw')).rejects.toThrow('rate limited (429): too many attempts; retry later; retry after 42 s');
  });

  it('follows nextPageToken when listing agents, with the filters as query parameters', async () => {
    const agent = (id: string) => ({ id, connected: true, site: 'dc1' });
    const fetch = fakeFetch((req) =>
      req.path.includes('pageToken=p2')
        ? { status: 200, body: { agents: [agent('b')], nextPageToken: null } }
        : { status: 200, body: { agents: [agent('a')], nextPageToken: 'p2' } },
    );
    const api = new ApiClient('http://gw', { kind: 'apiKey', key: 'k' }, fetch);
    expect((await api.listAgents({ site: 'dc1', connected: 'true' })).map((a) => a.id)).toEqual(['a', 'b']);
    expect(fetch.requests[0]!.path).toBe('/agents?pageSize=500&site=dc1&connected=true');
  });

  it('says which field of a response it could not read', async () => {
    const fetch = fakeFetch(() => ({ status: 200, body: { id: 'x' } }));
    await expect(new ApiClient('http://gw', { kind: 'apiKey', key: 'k' }, fetch).getAgent('x')).rejects.toThrow(/unexpected response \(connected:/);
  });

  it('names the gateway it cannot reach', async () => {
    const api = new ApiClient('http://gw', { kind: 'none' }, () =>
      Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:4000') })),
    );
    await expect(api.login('a@b.c', 'x')).rejects.toThrow('cannot reach the gateway at http://gw: connect ECONNREFUSED 127.0.0.1:4000');
  });
});
