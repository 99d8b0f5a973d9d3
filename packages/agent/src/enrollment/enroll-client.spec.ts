import { describe, expect, it } from 'vitest';
import { enrollUrl, enrollWithToken, EnrollmentRefusedError } from './enroll-client.js';

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers });

describe('enrollWithToken', () => {
  it('posts to /v1/enroll on the hub WebSocket URL’s host', () => {
    expect(enrollUrl('ws://hub:4100/agent/v1')).toBe('http://hub:4100/v1/enroll');
    expect(enrollUrl('wss://hub.example.com/agent/v1')).toBe('https://hub.example.com/v1/enroll');
  });

  it('sends the token and id, and returns the credential', async () => {
    const sent: RequestInit[] = [];
    const res = await enrollWithToken({
      hubUrl: 'ws://hub:4100/agent/v1',
      enrollmentToken: 'fpe_t',
      agentId: 'web-1',
      fetch: (_url, init) => {
        sent.push(init!);
        return Promise.resolve(answer(201, { agentId: 'web-1', credential: 'k'.repeat(43), site: 's', labels: {} }));
      },
    });
    expect(res).toEqual({ agentId: 'web-1', credential: 'k'.repeat(43), site: 's', labels: {} });
    expect(JSON.parse(sent[0]!.body as string)).toEqual({ enrollmentToken: 'fpe_t', agentId: 'web-1' });
  });

  it('retries a busy or absent hub, waiting at least Retry-After, and stops at a 4xx with its message', async () => {
    const replies = [
      () => answer(503, { message: 'busy' }, { 'retry-after': '3' }),
      () => Promise.reject(new Error('ECONNREFUSED')),
      () => answer(409, { message: 'agent already enrolled' }),
    ];
    const waits: number[] = [];
    const err = await enrollWithToken({
      hubUrl: 'ws://hub:4100/agent/v1',
      enrollmentToken: 'fpe_t',
      fetch: () => Promise.resolve(replies.shift()!()),
      wait: (ms) => Promise.resolve(waits.push(ms)),
      random: () => 0.5,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnrollmentRefusedError);
    expect(err).toMatchObject({ status: 409, message: 'agent already enrolled' });
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(3000);
  });

  it('gives up after maxAttempts when asked to', async () => {
    await expect(
      enrollWithToken({
        hubUrl: 'ws://h/agent/v1',
        enrollmentToken: 'fpe_t',
        maxAttempts: 2,
        fetch: () => Promise.resolve(answer(502, {})),
        wait: () => Promise.resolve(),
      }),
    ).rejects.toThrow('enrollment failed after 2 attempts: 502 HTTP 502');
  });
});
