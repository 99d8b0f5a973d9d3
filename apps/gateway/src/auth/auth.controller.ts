import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ClientIp } from '../http/caller.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { loginBody, refreshBody, type LoginBody, type RefreshBody } from './auth.schemas.js';
import { AuthService } from './auth.service.js';
import { Public } from '@fleetplane/observability';
import type { TokenPair } from './token-issuer.js';

/**
 * Sign-in and its tokens. Public route by route (not the whole controller, so a
 * route added here later is not public by accident): the caller has no access
 * token yet, or only the refresh token the body carries.
 */
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  login(@Body(new ZodPipe(loginBody)) body: LoginBody, @ClientIp() ip: string | null): Promise<TokenPair> {
    return this.auth.login(body, ip);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  refresh(@Body(new ZodPipe(refreshBody)) body: RefreshBody, @ClientIp() ip: string | null): Promise<TokenPair> {
    return this.auth.refresh(body, ip);
  }

  /** Ends the refresh token's session: its whole rotation chain, its access tokens and its open streams. */
  @Post('logout')
  @Public()
  @HttpCode(204)
  logout(@Body(new ZodPipe(refreshBody)) body: RefreshBody, @ClientIp() ip: string | null): Promise<void> {
    return this.auth.logout(body, ip);
  }
}
