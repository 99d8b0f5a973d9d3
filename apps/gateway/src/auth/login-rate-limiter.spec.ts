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
  const setup = () => {
    const store = new FakeStore();
    return { store, limiter: new LoginRateLimiter(store, { LOGIN_RATE_LIMIT: 10, LOGIN_RATE_WINDOW_SECONDS: 60 }) };
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

  it('keeps email addresses out of the keys', async () => {
    const { store, limiter } = setup();
    await limiter.attempt('1.2.3.4', 'secret.person@example.com');
    expect(store.keys[0]).toMatch(/^gateway:login:[0-9a-f]{64}$/);
  });
});
