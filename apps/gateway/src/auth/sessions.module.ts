import { Module } from '@nestjs/common';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { RevocationEvents } from './revocation-events.js';
import { SessionDenylist } from './session-denylist.js';
import { SessionEnder } from './session-ender.js';

/**
 * Sessions and their revocation, apart from AuthModule so that users and api-keys
 * (which AuthModule itself imports) can end sessions without a cycle.
 */
@Module({
  providers: [RefreshTokensRepository, SessionDenylist, RevocationEvents, SessionEnder],
  exports: [RefreshTokensRepository, SessionDenylist, RevocationEvents, SessionEnder],
})
export class SessionsModule {}
