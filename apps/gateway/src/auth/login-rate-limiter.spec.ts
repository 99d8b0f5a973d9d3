import { describe, expect, it } from 'vitest';
import { LoginRateLimiter, type CounterStore } from './login-rate-limiter.js';

/** A counter store with a clock we move by hand. */
class FakeStore implements CounterStore {
  now = 0;
  readonly keys: string[] = [];
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  hit(key: string, windowSeconds: number) {
    this.keys.push(key);
    let w = this.windows.get(key);
    if (!w || w.endsAt <= this.now) w = { count: 0, endsAt: this.now + windowSeconds };
    w.count++;
    this.windows.set(key, w);
    return Promise.resolve({ count: w.count, ttlSeconds: w.endsAt - this.now });
  }
}

describe(LoginRateLimiter.name, () => {
  const setup = (perIp = 100) => {
    const store = new FakeStore();
    return { store, limiter: new LoginRateLimiter(store, { LOGIN_RATE_LIMIT: 10, LOGIN_IP_RATE_LIMIT: perIp, LOGIN_RATE_WINDOW_SECONDS: 60 }) };
  };

  it('allows 10 attempts per window and refuses the 11th with the seconds left', async () => {
    const { store, limiter } = setup();
    for (let i = 0; i < 10; i++) expect(await limiter.attempt('1.2.3.4', 'a@example.com')).toEqual({ allowed: true });
    store.now = 15;
    expect(await limiter.attempt('1.2.3.4', 'a@example.com')).toEqual({ allowed: false, retryAfterSeconds: 45 });
    store.now = 60;
    expect(await limiter.attempt('1.2.3.4', 'a@example.com')).toEqual({ allowed: true });
  });

  it('counts each ip+email pair apart', async () => {
    const { limiter } = setup();
    for (let i = 0; i < 10; i++) await limiter.attempt('1.2.3.4', 'a@example.com');
    expect((await limiter.attempt('1.2.3.4', 'b@example.com')).allowed).toBe(true);
    expect((await limiter.attempt('5.6.7.8', 'a@example.com')).allowed).toBe(true);
  });

  it('refuses one ip trying many emails past LOGIN_IP_RATE_LIMIT, and not another ip', async () => {
    const { store, limiter } = setup(5);
    for (let i = 0; i < 5; i++) expect(await limiter.attempt('1.2.3.4', `user${i}@example.com`)).toEqual({ allowed: true });
    store.now = 20;
    expect(await limiter.attempt('1.2.3.4', 'fresh@example.com')).toEqual({ allowed: false, retryAfterSeconds: 40 });
    expect(await limiter.attempt('5.6.7.8', 'fresh@example.com')).toEqual({ allowed: true });
    store.now = 60;
    expect(await limiter.attempt('1.2.3.4', 'fresh@example.com')).toEqual({ allowed: true });
  });

  it('waits for the later window when both limits are over', async () => {
    const { store, limiter } = setup(12);
    // The ip's window runs 0-60; a@'s starts at 30 and runs to 90.
    await limiter.attempt('1.2.3.4', 'x@example.com');
    store.now = 30;
    for (let i = 0; i < 10; i++) expect((await limiter.attempt('1.2.3.4', 'a@example.com')).allowed).toBe(true);
    // The pair is over (11 of 10), the ip not yet (12 of 12).
    expect(await limiter.attempt('1.2.3.4', 'a@example.com')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    // Both over (12 of 10, 13 of 12): the pair's window ends last.
    expect(await limiter.attempt('1.2.3.4', 'a@example.com')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect(await limiter.attempt('1.2.3.4', 'y@example.com')).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it('keeps email addresses and ips out of the keys', async () => {
    const { store, limiter } = setup();
    await limiter.attempt('1.2.3.4', 'secret.person@example.com');
    expect(store.keys).toHaveLength(2);
    expect(store.keys[0]).toMatch(/^gateway:login:[0-9a-f]{64}$/);
    expect(store.keys[1]).toMatch(/^gateway:login-ip:[0-9a-f]{64}$/);
  });
});
