import { createParamDecorator, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Caller, Principal } from '../auth/principal.js';

export const clientIp = (req: Request): string | null => req.ip ?? req.socket.remoteAddress ?? null;

/** The authenticated caller of a request that passed ApiAuthGuard. */
export function callerOf(req: Request): Caller {
  const principal = req.user as Principal | undefined;
  if (!principal) throw new UnauthorizedException('missing or invalid credentials');
  return { principal, ip: clientIp(req) };
}

/** `@CurrentCaller() caller: Caller` in a guarded controller. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => callerOf(ctx.switchToHttp().getRequest<Request>()));

/** `@ClientIp() ip` for routes without authentication (login, refresh). */
export const ClientIp = createParamDecorator((_: unknown, ctx: ExecutionContext): string | null => clientIp(ctx.switchToHttp().getRequest<Request>()));
