import { describe, expect, it } from 'vitest';
import { FakeClock } from '@fleetplane/service-kit';
import type { RefreshTokensRepository } from './refresh-tokens.repository.js';
import type { Revocation, RevocationEvents } from './revocation-events.js';
import type { SessionDenylist } from './session-denylist.js';
import { SessionEnder } from './session-ender.js';

function setup() {
  const steps: string[] = [];
  const published: Revocation[] = [];
  const denied: string[] = [];
  const clock = new FakeClock();
  const refreshTokens = {
    revokeFamily: (sid: string) => (steps.push(`revoke ${sid}`), Promise.resolve(1)),
    revokeUser: (userId: string, _now: Date, keep?: string) => (steps.push(`revoke ${userId} but ${keep}`), Promise.resolve(3)),
    familiesIssuedSince: (_userId: string, since: Date) => {
      steps.push(`list since ${clock.nowMs() - since.getTime()} ms ago`);
      return Promise.resolve(['s-keep', 's-a', 's-b']);
    },
  };
  const denylist = { deny: (sids: string[]) => (steps.push('deny'), denied.push(...sids), Promise.resolve()) };
  const events = { publish: (r: Revocation) => (steps.push('publish'), published.push(r)) };
  const ender = new SessionEnder(
    refreshTokens as unknown as RefreshTokensRepository,
    denylist as unknown as SessionDenylist,
    events as unknown as RevocationEvents,
    clock,
    { ACCESS_TOKEN_TTL_SECONDS: 900 },
  );
  return { ender, steps, published, denied };
}

describe(SessionEnder.name, () => {
  it('ends one session: its family, then its access tokens, then tells the streams', async () => {
    const { ender, steps, published, denied } = setup();
    await ender.endOne('u-1', 's-1');
    expect(steps).toEqual(['revoke s-1', 'deny', 'publish']);
    expect(denied).toEqual(['s-1']);
    expect(published).toEqual([{ userId: 'u-1', sid: 's-1' }]);
  });

  it('ends the other sessions: revokes first, then denies every family that issued a token within one access-token lifetime but the kept one', async () => {
    const { ender, steps, published, denied } = setup();
    expect(await ender.endOthers('u-1', 's-keep')).toBe(3);
    expect(steps).toEqual(['revoke u-1 but s-keep', 'list since 900000 ms ago', 'deny', 'publish']);
    expect(denied).toEqual(['s-a', 's-b']);
    expect(published).toEqual([{ userId: 'u-1' }]);
  });
});
