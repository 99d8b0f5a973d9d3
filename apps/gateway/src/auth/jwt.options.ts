import type { JwtModuleOptions } from '@nestjs/jwt';

export const JWT_ISSUER = 'fleetplane-gateway';
export const JWT_AUDIENCE = 'fleetplane-api';

export const jwtModuleOptions = (secret: string): JwtModuleOptions => ({
  secret,
  signOptions: { algorithm: 'HS256', issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
  verifyOptions: { algorithms: ['HS256'], issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
});
